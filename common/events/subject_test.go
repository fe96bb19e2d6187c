package events

import (
	"encoding/json"
	"testing"

	"github.com/isb-go/isb/common/names"
)

func TestEveryEventNamesTheAccountAndLeaseItsDetailCarries(t *testing.T) {
	for _, dt := range names.DetailTypes {
		t.Run(dt, func(t *testing.T) {
			raw, ev := decodedFixture(t, dt)
			var detail struct {
				AccountID string          `json:"accountId"`
				LeaseID   json.RawMessage `json:"leaseId"`
			}
			if err := json.Unmarshal(raw, &detail); err != nil {
				t.Fatal(err)
			}
			if got := AccountOf(ev); got != detail.AccountID {
				t.Errorf("AccountOf = %q, detail says %q", got, detail.AccountID)
			}
			if _, ok := LeaseOf(ev); ok != (len(detail.LeaseID) > 0) {
				t.Errorf("LeaseOf found a lease: %v; the detail has leaseId: %v", ok, len(detail.LeaseID) > 0)
			}
		})
	}
}
