package report

import (
	"github.com/isb-go/isb/common/spend"

	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/isb-go/isb/common/lease"
)

// NoGroup is the group of leases without a cost report group.
const NoGroup = "No cost report group"

// held is a lease that held its account during the report month.
type held struct {
	lease lease.Lease
	span  span
}

// holding returns the leases that held an account during month (first day
// UTC), with their days in the month. Leases without an account or a start
// date, and leases wholly before or after the month, are left out.
func holding(leases []lease.Lease, month, now time.Time) []held {
	var out []held
	for _, l := range leases {
		if s, ok := spanIn(l.AccountID, l.StartDate, l.EndDate, month, now); ok {
			out = append(out, held{lease: l, span: s})
		}
	}
	return out
}

// group returns the cost report group a lease is reported under.
func group(l lease.Lease) string {
	if l.CostReportGroup == nil || *l.CostReportGroup == "" {
		return NoGroup
	}
	return *l.CostReportGroup
}

// allocate gives each day of each account's spend to the lease that held
// the account that day and sums it per lease. A lease's first and last
// days count whole. When an account changed hands during a day, both
// leases hold that day; the day goes to the lease that started later (the
// new tenant), so no spend is counted twice. Days no lease held (the
// account was idle or being cleaned) are reported on nobody.
//
// The result is indexed like hs.
func allocate(hs []held, daily spend.Daily) []float64 {
	byAccount := map[string][]int{}
	for i, h := range hs {
		byAccount[h.lease.AccountID] = append(byAccount[h.lease.AccountID], i)
	}
	out := make([]float64, len(hs))
	for acct, idx := range byAccount {
		// Earlier starts first, so a later lease overwrites the shared day.
		slices.SortFunc(idx, func(a, b int) int {
			if c := hs[a].lease.StartDate.Compare(hs[b].lease.StartDate); c != 0 {
				return c
			}
			return cmp.Compare(hs[a].lease.Key.String(), hs[b].lease.Key.String())
		})
		owner := map[string]int{}
		for _, i := range idx {
			for d := hs[i].span.first; !d.After(hs[i].span.last); d = d.AddDate(0, 0, 1) {
				owner[d.Format(dayLayout)] = i
			}
		}
		// In day order, so the float sums do not depend on map order.
		for _, day := range slices.Sorted(maps.Keys(owner)) {
			out[owner[day]] += daily[acct][day]
		}
	}
	return out
}

// Row is one line of the report: a group's spend over the month.
type Row struct {
	Group string `json:"costReportGroup"`
	// Start and End are the month's first and last days (inclusive).
	Start    time.Time `json:"startDate"`
	End      time.Time `json:"endDate"`
	Cost     float64   `json:"cost"`
	Currency string    `json:"currency"`
}

// rows sums the lease costs per group, sorted by group name.
func rows(hs []held, leaseCosts []float64, month time.Time) []Row {
	totals := map[string]float64{}
	for i, h := range hs {
		totals[group(h.lease)] += leaseCosts[i]
	}
	out := make([]Row, 0, len(totals))
	for g, c := range totals {
		out = append(out, Row{Group: g, Start: month, End: lastDay(month), Cost: c, Currency: currency})
	}
	slices.SortFunc(out, func(a, b Row) int { return cmp.Compare(a.Group, b.Group) })
	return out
}
