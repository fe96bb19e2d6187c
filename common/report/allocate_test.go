package report

import (
	"github.com/isb-go/isb/common/spend"

	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/isb-go/isb/common/lease"
)

// leaseOf builds a lease of account in group ("" for none).
func leaseOf(uuid, account, group string, start, end time.Time) lease.Lease {
	l := lease.Lease{Key: lease.Key{UserEmail: "user@example.com", UUID: uuid}, Status: lease.Active,
		AccountID: account, StartDate: start, EndDate: end}
	if group != "" {
		l.CostReportGroup = &group
	}
	return l
}

// everyDay gives account the same amount on every day of October 2026.
func everyDay(daily spend.Daily, account string, amount float64) {
	for d := day("2026-10-01"); d.Before(day("2026-11-01")); d = d.AddDate(0, 0, 1) {
		daily.Add(account, d.Format(dayLayout), amount)
	}
}

// october is the month the tests report on, when they report, and the
// spend of $1 a day on account A and $10 a day on B through that month.
func october() (month, now time.Time, daily spend.Daily) {
	daily = spend.Daily{}
	everyDay(daily, "A", 1)
	everyDay(daily, "B", 10)
	return day("2026-10-01"), at("2026-11-02T01:25:00Z"), daily
}

func TestAllocate(t *testing.T) {
	month, now, daily := october()
	daily.Add("C", "2026-10-15", 2.5)
	daily.Add("C", "2026-09-30", 1000) // outside the month

	for _, tc := range []struct {
		name   string
		leases []lease.Lease
		want   map[string]float64 // lease uuid → cost
	}{
		{name: "a lease that held its account all month gets every day",
			leases: []lease.Lease{leaseOf("l1", "A", "g", at("2026-09-01T00:00:00Z"), time.Time{})},
			want:   map[string]float64{"l1": 31}},
		{name: "a lease started mid-month gets its first day whole",
			leases: []lease.Lease{leaseOf("l1", "A", "g", at("2026-10-20T15:00:00Z"), time.Time{})},
			want:   map[string]float64{"l1": 12}},
		{name: "a lease ended mid-month gets its last day whole",
			leases: []lease.Lease{leaseOf("l1", "B", "g", at("2026-09-01T00:00:00Z"), at("2026-10-10T09:00:00Z"))},
			want:   map[string]float64{"l1": 100}},
		{name: "an account leased twice splits by day and the shared day goes to the later lease",
			leases: []lease.Lease{
				leaseOf("first", "A", "g", at("2026-10-01T08:00:00Z"), at("2026-10-10T09:00:00Z")),
				leaseOf("second", "A", "h", at("2026-10-10T18:00:00Z"), at("2026-10-12T09:00:00Z")),
			},
			want: map[string]float64{"first": 9, "second": 3}},
		{name: "the later lease wins the shared day whatever the order the leases were read in",
			leases: []lease.Lease{
				leaseOf("second", "A", "h", at("2026-10-10T18:00:00Z"), at("2026-10-12T09:00:00Z")),
				leaseOf("first", "A", "g", at("2026-10-01T08:00:00Z"), at("2026-10-10T09:00:00Z")),
			},
			want: map[string]float64{"first": 9, "second": 3}},
		{name: "days outside the month are not charged",
			leases: []lease.Lease{leaseOf("l1", "C", "", at("2026-09-29T00:00:00Z"), at("2026-10-16T00:00:00Z"))},
			want:   map[string]float64{"l1": 2.5}},
		{name: "an account without Cost Explorer data costs nothing",
			leases: []lease.Lease{leaseOf("l1", "D", "g", at("2026-10-03T00:00:00Z"), time.Time{})},
			want:   map[string]float64{"l1": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := holding(tc.leases, month, now)
			got := map[string]float64{}
			for i, c := range allocate(hs, daily) {
				got[hs[i].lease.UUID] = c
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("cost per lease mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRows(t *testing.T) {
	month, now, daily := october()
	everyDay(daily, "C", 100)
	leases := []lease.Lease{
		leaseOf("l1", "B", "zeta", at("2026-10-01T00:00:00Z"), at("2026-10-02T00:00:00Z")),
		leaseOf("l2", "A", "alpha", at("2026-10-31T00:00:00Z"), time.Time{}),
		leaseOf("l3", "C", "", at("2026-10-31T00:00:00Z"), time.Time{}),
		leaseOf("l4", "B", "alpha", at("2026-10-30T00:00:00Z"), time.Time{}),
		leaseOf("l5", "A", "zeta", at("2026-08-01T00:00:00Z"), at("2026-08-31T00:00:00Z")),
	}
	hs := holding(leases, month, now)
	got := rows(hs, allocate(hs, daily), month)
	end := day("2026-10-31")
	want := []Row{
		{Group: "No cost report group", Start: month, End: end, Cost: 100, Currency: "USD"},
		{Group: "alpha", Start: month, End: end, Cost: 21, Currency: "USD"},
		{Group: "zeta", Start: month, End: end, Cost: 20, Currency: "USD"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rows mismatch (-want +got):\n%s", diff)
	}
}
