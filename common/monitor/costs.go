package monitor

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/isb-go/isb/common/lease"
)

// MaxAccountsPerCall is how many accounts one GetCostAndUsage filter may
// name (upstream's COST_EXPLORER_CONFIG.MAX_ACCOUNTS_IN_FILTER).
const MaxAccountsPerCall = 199

// CostExplorer is the one Cost Explorer call the monitor makes.
type CostExplorer interface {
	GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, opts ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
}

// dayFormat is Cost Explorer's date format.
const dayFormat = "2006-01-02"

// costMetric is the metric summed: unblended, as upstream.
const costMetric = "UnblendedCost"

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

// CostRequest is the GetCostAndUsage input for one batch at now: daily
// unblended cost grouped by linked account, for the batch's accounts,
// without credits and refunds, from the earliest start day in the batch
// to the end of today (End is exclusive, so today's partial data counts).
func CostRequest(batch []lease.Lease, now time.Time) *costexplorer.GetCostAndUsageInput {
	ids := make([]string, 0, len(batch))
	first := now.UTC()
	for _, l := range batch {
		ids = append(ids, l.AccountID)
		if l.StartDate.Before(first) {
			first = l.StartDate.UTC()
		}
	}
	tomorrow := now.UTC().AddDate(0, 0, 1)
	return &costexplorer.GetCostAndUsageInput{
		Granularity: cetypes.GranularityDaily,
		Metrics:     []string{costMetric},
		GroupBy:     []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String(string(cetypes.DimensionLinkedAccount))}},
		Filter: &cetypes.Expression{And: []cetypes.Expression{
			{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: ids}},
			{Not: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionRecordType, Values: []string{"Credit", "Refund"}}}},
		}},
		TimePeriod: &cetypes.DateInterval{Start: aws.String(first.Format(dayFormat)), End: aws.String(tomorrow.Format(dayFormat))},
	}
}

// batchCosts fetches the cost of each lease of one batch since the start
// day of that lease, following every page. calls counts the requests. An
// account Cost Explorer does not mention has spent nothing it knows of.
func batchCosts(ctx context.Context, ce CostExplorer, batch []lease.Lease, now time.Time) (costs map[string]float64, calls int, err error) {
	in := CostRequest(batch, now)
	// daily[account][day] is the spend of one account on one day.
	daily := map[string]map[string]float64{}
	for {
		calls++
		out, err := ce.GetCostAndUsage(ctx, in)
		if err != nil {
			return nil, calls, fmt.Errorf("get cost and usage of %d accounts from %s: %w",
				len(batch), aws.ToString(in.TimePeriod.Start), err)
		}
		for _, r := range out.ResultsByTime {
			if r.TimePeriod == nil {
				continue
			}
			day := aws.ToString(r.TimePeriod.Start)
			for _, g := range r.Groups {
				if len(g.Keys) == 0 {
					continue
				}
				m, ok := g.Metrics[costMetric]
				if !ok {
					continue
				}
				amount, err := strconv.ParseFloat(aws.ToString(m.Amount), 64)
				if err != nil {
					return nil, calls, fmt.Errorf("cost of account %s on %s is not a number: %q", g.Keys[0], day, aws.ToString(m.Amount))
				}
				if daily[g.Keys[0]] == nil {
					daily[g.Keys[0]] = map[string]float64{}
				}
				// A day repeated on a later page adds to it rather than
				// replacing it: pages split groups, not days.
				daily[g.Keys[0]][day] += amount
			}
		}
		if aws.ToString(out.NextPageToken) == "" {
			break
		}
		in.NextPageToken = out.NextPageToken
	}
	costs = make(map[string]float64, len(batch))
	for _, l := range batch {
		from := l.StartDate.UTC().Format(dayFormat)
		days := daily[l.AccountID]
		total := 0.0
		// Summed in day order, so the same answer always gives the same
		// total to the last bit (a total that wobbled would look like a
		// change and cost a write every hour).
		for _, day := range slices.Sorted(maps.Keys(days)) {
			// The whole start day counts (upstream does the same); the
			// dates are yyyy-mm-dd, so they compare as strings.
			if day >= from {
				total += days[day]
			}
		}
		costs[l.AccountID] = total
	}
	return costs, calls, nil
}
