package report

import (
	"context"
	"fmt"
	"slices"

	"github.com/isb-go/isb/common/costs"
)

// MaxAccountsPerCall is how many accounts one Cost Explorer call names.
const MaxAccountsPerCall = costs.MaxAccountsPerCall

// CostExplorer is the one Cost Explorer call the report makes.
type CostExplorer = costs.API

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
func fetchCosts(ctx context.Context, ce CostExplorer, accounts []string, start, end string) (costs.Daily, int, error) {
	daily := costs.Daily{}
	all := batches(accounts, MaxAccountsPerCall)
	calls := 0
	for n, batch := range all {
		c, err := costs.Fetch(ctx, ce, daily, batch, start, end)
		calls += c
		if err != nil {
			return nil, calls, fmt.Errorf("batch %d of %d (from account %s): %w", n+1, len(all), batch[0], err)
		}
	}
	return daily, calls, nil
}
