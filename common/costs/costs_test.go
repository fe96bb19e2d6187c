package costs

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"
)

func ceGroup(account, amount, unit string) cetypes.Group {
	return cetypes.Group{Keys: []string{account}, Metrics: map[string]cetypes.MetricValue{
		Metric: {Amount: aws.String(amount), Unit: aws.String(unit)}}}
}

func result(day string, groups ...cetypes.Group) cetypes.ResultByTime {
	return cetypes.ResultByTime{TimePeriod: &cetypes.DateInterval{Start: aws.String(day)}, Groups: groups}
}

func TestReadDailyCosts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		results []cetypes.ResultByTime
		want    Daily
		wantErr string
	}{
		{name: "each account's amount is kept per day",
			results: []cetypes.ResultByTime{
				result("2026-10-01", ceGroup("111", "1.5", "USD"), ceGroup("222", "2", "USD")),
				result("2026-10-02", ceGroup("111", "0.25", "USD")),
			},
			want: Daily{"111": {"2026-10-01": 1.5, "2026-10-02": 0.25}, "222": {"2026-10-01": 2}}},
		{name: "the same account and day seen twice add up",
			results: []cetypes.ResultByTime{result("2026-10-01", ceGroup("111", "1", "USD")), result("2026-10-01", ceGroup("111", "2", "USD"))},
			want:    Daily{"111": {"2026-10-01": 3}}},
		{name: "a day without spend adds nothing",
			results: []cetypes.ResultByTime{result("2026-10-01")},
			want:    Daily{}},
		{name: "an amount that is not a number fails",
			results: []cetypes.ResultByTime{result("2026-10-01", ceGroup("111", "lots", "USD"))},
			wantErr: `is "lots", not a number`},
		{name: "an amount in another currency fails",
			results: []cetypes.ResultByTime{result("2026-10-01", ceGroup("111", "1", "EUR"))},
			wantErr: "in EUR, not USD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Daily{}
			err := read(got, tc.results)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("read error = %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("daily costs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBetweenSumsTheDaysInclusive(t *testing.T) {
	d := Daily{"111": {"2026-10-01": 1, "2026-10-02": 2, "2026-10-03": 4}}
	for _, tc := range []struct {
		name     string
		from, to string
		want     float64
	}{
		{"every day from the first", "2026-10-01", "", 7},
		{"from the second day on", "2026-10-02", "", 6},
		{"both ends count", "2026-10-01", "2026-10-02", 3},
		{"an unknown account spent nothing", "2026-10-01", "", 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			account := "111"
			if strings.HasPrefix(tc.name, "an unknown") {
				account, tc.want = "999", 0
			}
			if got := d.Between(account, tc.from, tc.to); got != tc.want {
				t.Fatalf("Between = %v, want %v", got, tc.want)
			}
		})
	}
}

// pages answers with one page per call, then fails when asked for more.
type pages struct {
	out []*costexplorer.GetCostAndUsageOutput
}

func (p *pages) GetCostAndUsage(
	_ context.Context,
	in *costexplorer.GetCostAndUsageInput,
	_ ...func(*costexplorer.Options),
) (*costexplorer.GetCostAndUsageOutput, error) {
	next := p.out[0]
	p.out = p.out[1:]
	return next, nil
}

func TestFetchFollowsEveryPageAndRefusesOversizedBatches(t *testing.T) {
	api := &pages{out: []*costexplorer.GetCostAndUsageOutput{
		{
			ResultsByTime: []cetypes.ResultByTime{result("2026-10-01", ceGroup("111", "1", "USD"))},
			NextPageToken: aws.String("p2"),
		},
		{ResultsByTime: []cetypes.ResultByTime{result("2026-10-01", ceGroup("111", "2", "USD"))}},
	}}
	d := Daily{}
	calls, err := Fetch(context.Background(), api, d, []string{"111"}, "2026-10-01", "2026-10-02")
	if err != nil || calls != 2 || d["111"]["2026-10-01"] != 3 {
		t.Fatalf("calls %d, daily %v, err %v; want 2 calls and 3", calls, d, err)
	}
	if _, err := Fetch(context.Background(), api, d, make([]string, MaxAccountsPerCall+1), "2026-10-01", "2026-10-02"); err == nil {
		t.Fatal("200 accounts in one call were accepted")
	}
}
