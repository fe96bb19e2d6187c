package ddbstore

import (
	"testing"
	"time"

	"github.com/isb-go/isb/common/lease"
)

// The monitor updates single attributes by name; a renamed json tag on
// leaseItem would make it write attributes nobody reads.
func TestMonitorAttributesAreLeaseItemAttributes(t *testing.T) {
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	l := lease.Lease{Key: lease.Key{UserEmail: "u@example.com", UUID: "u"}, Status: lease.Active,
		TotalCostAccrued: 1, LastCheckedDate: at, UpdatedAt: at, EndRequested: lease.Expired, EndRequestedAt: at}
	item, err := leaseToItem(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{attrTotalCost, attrLastChecked, attrLastModified, attrEndRequested, attrEndRequestedAt} {
		if _, ok := item[a]; !ok {
			t.Errorf("a stored lease has no attribute %q", a)
		}
	}
	back, err := leaseFromItem(item)
	if err != nil {
		t.Fatal(err)
	}
	if back.EndRequested != lease.Expired || !back.EndRequestedAt.Equal(at) {
		t.Errorf("end request did not survive the round trip: %q at %v", back.EndRequested, back.EndRequestedAt)
	}
}
