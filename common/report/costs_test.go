package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"
)

func accountIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%012d", i+1)
	}
	return out
}

func TestBatches(t *testing.T) {
	for _, tc := range []struct {
		name     string
		accounts int
		want     []int
	}{
		{name: "no accounts make no batch", accounts: 0, want: nil},
		{name: "199 accounts fit in one batch", accounts: 199, want: []int{199}},
		{name: "200 accounts need a second batch of one", accounts: 200, want: []int{199, 1}},
		{name: "399 accounts make two full batches and one of one", accounts: 399, want: []int{199, 199, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			for _, b := range batches(accountIDs(tc.accounts), MaxAccountsPerCall) {
				got = append(got, len(b))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("batch sizes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ceGroup(account, amount, unit string) cetypes.Group {
	return cetypes.Group{Keys: []string{account}, Metrics: map[string]cetypes.MetricValue{
		metric: {Amount: aws.String(amount), Unit: aws.String(unit)}}}
}

func result(day string, groups ...cetypes.Group) cetypes.ResultByTime {
	return cetypes.ResultByTime{TimePeriod: &cetypes.DateInterval{Start: aws.String(day)}, Groups: groups}
}

func TestReadDailyCosts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		results []cetypes.ResultByTime
		want    dailyCosts
		wantErr string
	}{
		{name: "each account's amount is kept per day",
			results: []cetypes.ResultByTime{
				result("2026-10-01", ceGroup("111", "1.5", "USD"), ceGroup("222", "2", "USD")),
				result("2026-10-02", ceGroup("111", "0.25", "USD")),
			},
			want: dailyCosts{"111": {"2026-10-01": 1.5, "2026-10-02": 0.25}, "222": {"2026-10-01": 2}}},
		{name: "the same account and day seen twice add up",
			results: []cetypes.ResultByTime{result("2026-10-01", ceGroup("111", "1", "USD")), result("2026-10-01", ceGroup("111", "2", "USD"))},
			want:    dailyCosts{"111": {"2026-10-01": 3}}},
		{name: "a day without spend adds nothing",
			results: []cetypes.ResultByTime{result("2026-10-01")},
			want:    dailyCosts{}},
		{name: "an amount that is not a number fails",
			results: []cetypes.ResultByTime{result("2026-10-01", ceGroup("111", "lots", "USD"))},
			wantErr: `is "lots", not a number`},
		{name: "an amount in another currency fails",
			results: []cetypes.ResultByTime{result("2026-10-01", ceGroup("111", "1", "EUR"))},
			wantErr: "in EUR, not USD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := dailyCosts{}
			err := got.read(tc.results)
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
