package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// MaxAccountsPerCall is how many accounts one GetCostAndUsage filter
// names (upstream's limit, kept below Cost Explorer's).
const MaxAccountsPerCall = 199

// metric is the cost metric the report sums.
const metric = "UnblendedCost"

// CostExplorer is the one Cost Explorer call the report makes.
type CostExplorer interface {
	GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, opts ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
}

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

// costInput is the request for one batch: daily unblended cost per linked
// account, credits and refunds left out, over [start, end).
func costInput(batch []string, start, end string, token *string) *costexplorer.GetCostAndUsageInput {
	return &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(start), End: aws.String(end)},
		Granularity: cetypes.GranularityDaily,
		Metrics:     []string{metric},
		GroupBy:     []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String(string(cetypes.DimensionLinkedAccount))}},
		Filter: &cetypes.Expression{And: []cetypes.Expression{
			{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: batch}},
			{Not: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{
				Key: cetypes.DimensionRecordType, Values: []string{"Credit", "Refund"}}}},
		}},
		NextPageToken: token,
	}
}

// fetchCosts reads the daily cost of every account over [start, end), one
// batch after the other, following each batch's pages. Any failed call
// fails the whole fetch: a report with a silent gap would under-report a
// group. calls counts the GetCostAndUsage calls made.
func fetchCosts(ctx context.Context, ce CostExplorer, accounts []string, start, end string) (costs dailyCosts, calls int, err error) {
	costs = dailyCosts{}
	all := batches(accounts, MaxAccountsPerCall)
	for n, batch := range all {
		var token *string
		for page := 1; ; page++ {
			calls++
			out, err := ce.GetCostAndUsage(ctx, costInput(batch, start, end, token))
			if err != nil {
				return nil, calls, fmt.Errorf("get cost and usage %s..%s, batch %d of %d (%d accounts from %s), page %d: %w",
					start, end, n+1, len(all), len(batch), batch[0], page, err)
			}
			if err := costs.read(out.ResultsByTime); err != nil {
				return nil, calls, fmt.Errorf("cost and usage batch %d of %d, page %d: %w", n+1, len(all), page, err)
			}
			if aws.ToString(out.NextPageToken) == "" {
				break
			}
			token = out.NextPageToken
		}
	}
	return costs, calls, nil
}

// read adds the per-account amounts of Cost Explorer's daily results.
// An amount that is not a number, or not in USD, is an error: the report
// would be wrong.
func (d dailyCosts) read(results []cetypes.ResultByTime) error {
	for _, r := range results {
		if r.TimePeriod == nil {
			return fmt.Errorf("a daily result has no time period")
		}
		day := aws.ToString(r.TimePeriod.Start)
		for _, g := range r.Groups {
			if len(g.Keys) == 0 {
				return fmt.Errorf("a group of %s has no account key", day)
			}
			m, ok := g.Metrics[metric]
			if !ok {
				continue
			}
			amount, err := strconv.ParseFloat(aws.ToString(m.Amount), 64)
			if err != nil {
				return fmt.Errorf("%s of %s on %s is %q, not a number", metric, g.Keys[0], day, aws.ToString(m.Amount))
			}
			if unit := aws.ToString(m.Unit); unit != "" && unit != currency {
				return fmt.Errorf("%s of %s on %s is in %s, not %s", metric, g.Keys[0], day, unit, currency)
			}
			d.add(g.Keys[0], day, amount)
		}
	}
	return nil
}
