package lease

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/isb-go/isb/common/fault"
)

// allowed is the expected transition table, written out pair by pair so
// that a change to the table in status.go must be mirrored here.
var allowed = map[[2]Status]bool{
	{PendingApproval, Active}:             true,
	{PendingApproval, Provisioning}:       true,
	{PendingApproval, ApprovalDenied}:     true,
	{PendingApproval, Expired}:            true,
	{PendingApproval, ManuallyTerminated}: true,
	{Provisioning, Active}:                true,
	{Provisioning, ProvisioningFailed}:    true,
	{Provisioning, PendingApproval}:       true,
	{Provisioning, ManuallyTerminated}:    true,
	{Provisioning, AccountQuarantined}:    true,
	{Provisioning, Ejected}:               true,
	{Active, Frozen}:                      true,
	{Active, Expired}:                     true,
	{Active, BudgetExceeded}:              true,
	{Active, ManuallyTerminated}:          true,
	{Active, AccountQuarantined}:          true,
	{Active, Ejected}:                     true,
	{Frozen, Active}:                      true,
	{Frozen, Expired}:                     true,
	{Frozen, BudgetExceeded}:              true,
	{Frozen, ManuallyTerminated}:          true,
	{Frozen, AccountQuarantined}:          true,
	{Frozen, Ejected}:                     true,
}

func TestEveryLeaseTransitionPair(t *testing.T) {
	if len(Statuses) != 11 {
		t.Fatalf("want 11 lease statuses, have %d", len(Statuses))
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := allowed[[2]Status{from, to}]
			name := fmt.Sprintf("%s to %s is forbidden", from, to)
			if want {
				name = fmt.Sprintf("%s to %s is allowed", from, to)
			}
			t.Run(name, func(t *testing.T) {
				if got := CanTransition(from, to); got != want {
					t.Fatalf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
				}
				l := Lease{Key: Key{UserEmail: "a@example.com", UUID: "u"}, Status: from}
				got, err := l.Transition(to, now)
				if want {
					if err != nil {
						t.Fatalf("Transition: %v", err)
					}
					if got.Status != to || !got.StatusChangedAt.Equal(now) {
						t.Fatalf("Transition gave status %s changed at %v", got.Status, got.StatusChangedAt)
					}
					if to.Terminal() != !got.EndDate.IsZero() {
						t.Fatalf("terminal %v but end date %v", to.Terminal(), got.EndDate)
					}
					return
				}
				if !errors.Is(err, fault.Conflict) {
					t.Fatalf("Transition error = %v, want a conflict", err)
				}
				if got.Status != from {
					t.Fatalf("a refused transition changed the status to %s", got.Status)
				}
			})
		}
	}
}

func TestStatusProperties(t *testing.T) {
	terminal := map[Status]bool{ApprovalDenied: true, Expired: true, BudgetExceeded: true,
		ManuallyTerminated: true, AccountQuarantined: true, Ejected: true, ProvisioningFailed: true}
	for _, s := range Statuses {
		t.Run(string(s)+" has the expected properties", func(t *testing.T) {
			if s.Terminal() != terminal[s] {
				t.Errorf("Terminal() = %v", s.Terminal())
			}
			if s.CountsTowardLimit() == terminal[s] {
				t.Errorf("CountsTowardLimit() = %v", s.CountsTowardLimit())
			}
			if s.Monitored() != (s == Active || s == Frozen) {
				t.Errorf("Monitored() = %v", s.Monitored())
			}
		})
	}
	if Status("Bogus").Valid() || Status("Bogus").CountsTowardLimit() {
		t.Error("an unknown status is valid or counted")
	}
}

func TestLeaseIDRoundTrips(t *testing.T) {
	k := Key{UserEmail: "ci+pipeline@example.com", UUID: "0b8f2f3e-3c7a-4c1e-9c55-2f6f0e1d6a11"}
	got, err := ParseID(k.ID())
	if err != nil || got != k {
		t.Fatalf("ParseID(ID()) = %v, %v", got, err)
	}
	for _, bad := range []string{"", "!!!", "e30", "bm90IGpzb24"} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}
