// Package costs reads daily spend per account from Cost Explorer in the
// pool's management account: the request both the lease monitor and the
// cost report make (daily unblended cost grouped by linked account, for
// at most MaxAccountsPerCall accounts, credits and refunds left out), every
// page of its answer, and the role chain that reaches Cost Explorer.
package costs

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/isb-go/isb/common/spend"
)

// MaxAccountsPerCall is how many accounts one GetCostAndUsage filter may
// name (spend.MaxAccountsPerCall).
const MaxAccountsPerCall = spend.MaxAccountsPerCall

// Metric is the cost summed (unblended, as upstream) and Currency its unit.
const (
	Metric   = "UnblendedCost"
	Currency = spend.Currency
)

// DayFormat is Cost Explorer's date format (spend.DayFormat).
const DayFormat = spend.DayFormat

// API is the one Cost Explorer call made.
type API interface {
	GetCostAndUsage(
		ctx context.Context,
		in *costexplorer.GetCostAndUsageInput,
		opts ...func(*costexplorer.Options),
	) (*costexplorer.GetCostAndUsageOutput, error)
}

// Daily is spend per account and day (spend.Daily).
type Daily = spend.Daily

// Request is the GetCostAndUsage input for accounts over the days
// [start, end) (End is exclusive in Cost Explorer).
func Request(accounts []string, start, end string) *costexplorer.GetCostAndUsageInput {
	return &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(start), End: aws.String(end)},
		Granularity: cetypes.GranularityDaily,
		Metrics:     []string{Metric},
		GroupBy: []cetypes.GroupDefinition{
			{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String(string(cetypes.DimensionLinkedAccount))},
		},
		Filter: &cetypes.Expression{And: []cetypes.Expression{
			{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: accounts}},
			{Not: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{
				Key: cetypes.DimensionRecordType, Values: []string{"Credit", "Refund"}}}},
		}},
	}
}

// Fetch reads the daily spend of at most MaxAccountsPerCall accounts over
// [start, end) into into, following every page; calls counts the requests
// made. An account Cost Explorer does not mention spent nothing it knows
// of. An amount that is not a number, or not in USD, is an error.
func Fetch(ctx context.Context, api API, into Daily, accounts []string, start, end string) (calls int, err error) {
	if len(accounts) > MaxAccountsPerCall {
		return 0, fmt.Errorf("cost and usage of %d accounts: at most %d per call", len(accounts), MaxAccountsPerCall)
	}
	var token *string
	for page := 1; ; page++ {
		calls++
		// A fresh input per page: callers may keep what they were sent.
		in := Request(accounts, start, end)
		in.NextPageToken = token
		out, err := api.GetCostAndUsage(ctx, in)
		if err != nil {
			return calls, fmt.Errorf(
				"get cost and usage of %d accounts %s..%s, page %d: %w",
				len(accounts),
				start,
				end,
				page,
				err,
			)
		}
		if err := read(into, out.ResultsByTime); err != nil {
			return calls, fmt.Errorf(
				"cost and usage of %d accounts %s..%s, page %d: %w",
				len(accounts),
				start,
				end,
				page,
				err,
			)
		}
		if aws.ToString(out.NextPageToken) == "" {
			return calls, nil
		}
		token = out.NextPageToken
	}
}

func read(d Daily, results []cetypes.ResultByTime) error {
	for _, r := range results {
		if r.TimePeriod == nil {
			return fmt.Errorf("a daily result has no time period")
		}
		day := aws.ToString(r.TimePeriod.Start)
		for _, g := range r.Groups {
			if len(g.Keys) == 0 {
				return fmt.Errorf("a group of %s has no account key", day)
			}
			m, ok := g.Metrics[Metric]
			if !ok {
				continue
			}
			amount, err := strconv.ParseFloat(aws.ToString(m.Amount), 64)
			if err != nil {
				return fmt.Errorf("%s of %s on %s is %q, not a number", Metric, g.Keys[0], day, aws.ToString(m.Amount))
			}
			if unit := aws.ToString(m.Unit); unit != "" && unit != Currency {
				return fmt.Errorf("%s of %s on %s is in %s, not %s", Metric, g.Keys[0], day, unit, Currency)
			}
			d.Add(g.Keys[0], day, amount)
		}
	}
	return nil
}

// Clients gives the Cost Explorer client of the management account
// (*Chain).
type Clients interface {
	Client(ctx context.Context) (API, error)
}

// Explorer fetches daily spend with the client Clients gives.
type Explorer struct{ Clients Clients }

// Fetch is the package's Fetch with the management account's client.
func (e Explorer) Fetch(ctx context.Context, into spend.Daily, accounts []string, start, end string) (int, error) {
	api, err := e.Clients.Client(ctx)
	if err != nil {
		return 0, fmt.Errorf("cost explorer client: %w", err)
	}
	return Fetch(ctx, api, into, accounts, start, end)
}
