package monitor

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/spend"
)

// MaxAccountsPerCall is how many accounts one cost fetch names.
const MaxAccountsPerCall = spend.MaxAccountsPerCall

// batches sorts the leases by start date, then account id, and cuts them
// into groups of at most size. The order is fixed so that the same leases
// always make the same requests (tests queue the emulator's answers by
// request).
func batches(leases []lease.Lease, size int) [][]lease.Lease {
	sorted := slices.Clone(leases)
	slices.SortFunc(sorted, func(a, b lease.Lease) int {
		if c := a.StartDate.Compare(b.StartDate); c != 0 {
			return c
		}
		return strings.Compare(a.AccountID, b.AccountID)
	})
	var out [][]lease.Lease
	for start := 0; start < len(sorted); start += size {
		out = append(out, sorted[start:min(start+size, len(sorted))])
	}
	return out
}

// window is the accounts and days [start, end) of one batch's request.
func window(batch []lease.Lease, now time.Time) (ids []string, start, end string) {
	ids = make([]string, 0, len(batch))
	first := now.UTC()
	for _, l := range batch {
		ids = append(ids, l.AccountID)
		if l.StartDate.Before(first) {
			first = l.StartDate.UTC()
		}
	}
	return ids, first.Format(spend.DayFormat), now.UTC().AddDate(0, 0, 1).Format(spend.DayFormat)
}

// batchCosts fetches the cost of each lease of one batch since the start
// day of that lease (the whole start day counts, as upstream), following
// every page. calls counts the requests. An account Cost Explorer does not
// mention has spent nothing it knows of.
func batchCosts(ctx context.Context, c Costs, batch []lease.Lease, now time.Time) (map[string]float64, int, error) {
	ids, start, end := window(batch, now)
	daily := spend.Daily{}
	calls, err := c.Fetch(ctx, daily, ids, start, end)
	if err != nil {
		return nil, calls, err
	}
	out := make(map[string]float64, len(batch))
	for _, l := range batch {
		out[l.AccountID] = daily.Between(l.AccountID, l.StartDate.UTC().Format(spend.DayFormat), "")
	}
	return out, calls, nil
}
