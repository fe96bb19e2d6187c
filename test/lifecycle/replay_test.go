package lifecycle_test

import (
	"slices"
	"testing"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
)

// scenario builds a world's starting state and the events that follow it.
type scenario struct {
	name  string
	setup func(w *world) (accounts []string, leases []lease.Key, evs []events.Event)
}

func cleanedRun(w *world, ou account.OU, outcome string) string {
	id := w.newAccount(ou)
	w.row(account.Account{ID: id, Status: account.CleanUp,
		Cleanup: &account.CleanupExecution{ExecutionARN: "arn:aws:states:run-" + id, StartedAt: t0, Outcome: outcome}})
	return id
}

// scenarios cover every event type the lifecycle manager consumes. The
// starting state is what the rows hold when the events arrive: the API or
// the cleaner already recorded the change each event announces.
var scenarios = []scenario{
	{"approval then termination by the lessee", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.leased(dev, lease.ManuallyTerminated, account.Active, account.Available)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			events.LeaseApproved{LeaseID: l.Key, AccountID: id, ApprovedBy: "manager@example.com"},
			events.LeaseTerminated{LeaseID: l.Key, AccountID: id, Reason: events.TerminatedWithComment(events.TerminationManual, "done")},
		}
	}},
	{"freeze then unfreeze by a manager", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.leased(dev, lease.Active, account.Active, account.Active)
		w.grantAccess(id, dev)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			events.LeaseFrozen{LeaseID: l.Key, AccountID: id, Reason: events.FrozenManually("by manager")},
			events.LeaseUnfrozen{LeaseID: l.Key, AccountID: id, Reason: "by manager"},
		}
	}},
	{"freezing alert then budget exceeded", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.leased(dev, lease.Active, account.Active, account.Active)
		w.grantAccess(id, dev)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			events.LeaseFreezingThresholdAlert{LeaseID: l.Key, AccountID: id, Reason: events.FrozenByBudget(40, ptr(50.0), 41)},
			events.LeaseBudgetExceeded{LeaseID: l.Key, AccountID: id, Budget: 50, TotalSpend: 51},
		}
	}},
	{"expiry then the termination it announces", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.leased(dev, lease.Frozen, account.Frozen, account.Frozen)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			events.LeaseExpired{LeaseID: l.Key, AccountID: id, LeaseExpirationDate: t0},
			events.LeaseTerminated{LeaseID: l.Key, AccountID: id, Reason: events.TerminatedExpired(ptr(24))},
		}
	}},
	{"registration cleanup request then cleanup success", func(w *world) ([]string, []lease.Key, []events.Event) {
		id := cleanedRun(w, account.Entry, account.CleanupSucceeded)
		return []string{id}, nil, []events.Event{
			events.CleanAccountRequest{AccountID: id, Reason: events.CleanupAccountRegistration},
			events.AccountCleanupSucceeded{AccountID: id, CleanupExecutionContext: run("arn:aws:states:run-" + id), Reason: events.CleanupAccountRegistration},
		}
	}},
	{"a cleanup failure below the limit", func(w *world) ([]string, []lease.Key, []events.Event) {
		id := cleanedRun(w, account.CleanUp, account.CleanupFailed)
		return []string{id}, nil, []events.Event{
			events.AccountCleanupFailed{AccountID: id, CleanupExecutionContext: run("arn:aws:states:run-" + id), Reason: events.CleanupLeaseTermination, ConsecutiveFailures: 1},
		}
	}},
	{"a cleanup failure at the limit then a drift report", func(w *world) ([]string, []lease.Key, []events.Event) {
		id := cleanedRun(w, account.CleanUp, account.CleanupFailed)
		return []string{id}, nil, []events.Event{
			events.AccountCleanupFailed{AccountID: id, CleanupExecutionContext: run("arn:aws:states:run-" + id), Reason: events.CleanupRetryFailed, ConsecutiveFailures: 3},
			events.AccountDriftDetected{AccountID: id, ExpectedOU: string(account.CleanUp), ActualOU: string(account.Quarantine)},
		}
	}},
	{"drift of a leased account", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.leased(dev, lease.Active, account.Active, account.Available)
		w.grantAccess(id, dev)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			events.AccountDriftDetected{AccountID: id, ExpectedOU: string(account.Active), ActualOU: string(account.Available)},
		}
	}},
}

// TestDuplicatesAndReorderingEndInTheSameState delivers each scenario's
// events once in order, each twice, and in reverse order, and requires the
// same final state every time, with the invariants holding.
func TestDuplicatesAndReorderingEndInTheSameState(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			count := 0
			deliver := func(order func([]events.Event) []events.Event) string {
				w := newWorld(t)
				accounts, leases, evs := sc.setup(w)
				count = len(evs)
				w.ok(order(evs)...)
				if p := w.invariants(leases); len(p) > 0 {
					t.Errorf("invariants broken: %v", p)
				}
				return w.snapshot(accounts, leases)
			}
			want := deliver(func(evs []events.Event) []events.Event { return evs })
			t.Run("every event delivered twice ends the same", func(t *testing.T) {
				got := deliver(func(evs []events.Event) []events.Event {
					var out []events.Event
					for _, e := range evs {
						out = append(out, e, e)
					}
					return out
				})
				if got != want {
					t.Errorf("state after duplicates:\n%s\nwant:\n%s", got, want)
				}
			})
			if count < 2 {
				return
			}
			t.Run("the events in reverse order end the same", func(t *testing.T) {
				got := deliver(func(evs []events.Event) []events.Event {
					out := slices.Clone(evs)
					slices.Reverse(out)
					return out
				})
				if got != want {
					t.Errorf("state after reordering:\n%s\nwant:\n%s", got, want)
				}
			})
		})
	}
}
