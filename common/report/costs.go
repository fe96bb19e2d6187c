package report

import (
	"context"
	"fmt"
	"slices"

	"github.com/isb-go/isb/common/spend"
)

// MaxAccountsPerCall is how many accounts one Cost Explorer call names.
const MaxAccountsPerCall = spend.MaxAccountsPerCall

// batches cuts the sorted, distinct accounts into groups of at most size.
func batches(accounts []string, size int) [][]string {
	var out [][]string
	for start := 0; start < len(accounts); start += size {
		out = append(out, accounts[start:min(start+size, len(accounts))])
	}
	return out
}

// accountsOf returns the distinct account ids of the leases, sorted, so
// the batches and therefore the requests are the same on every run.
func accountsOf(hs []held) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.lease.AccountID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// fetchCosts reads the daily cost of every account over [start, end), one
// batch after the other, following each batch's pages. Any failed call
// fails the whole fetch: a report with a silent gap would under-report a
// group. calls counts the GetCostAndUsage calls made.
func fetchCosts(ctx context.Context, c Costs, accounts []string, start, end string) (spend.Daily, int, error) {
	daily := spend.Daily{}
	all := batches(accounts, MaxAccountsPerCall)
	calls := 0
	for n, batch := range all {
		made, err := c.Fetch(ctx, daily, batch, start, end)
		calls += made
		if err != nil {
			return nil, calls, fmt.Errorf("batch %d of %d (from account %s): %w", n+1, len(all), batch[0], err)
		}
	}
	return daily, calls, nil
}
