package report

import (
	"fmt"
	"testing"

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
