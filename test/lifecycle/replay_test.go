package lifecycle_test

import (
	"slices"
	"testing"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
)

// scenario builds a world's starting state and the events that follow it,
// and names the state they must end in (a snapshot).
type scenario struct {
	name  string
	setup func(w *world) (accounts []string, leases []lease.Key, evs []events.Event)
	want  string
}

func cleanedRun(w *world, ou account.OU, outcome string) string {
	id := w.newAccount(ou)
	w.cleanupRun(id, "arn:aws:states:run-"+id, outcome)
	return id
}

// scenarios cover every event type the lifecycle manager consumes. The
// starting state is what the rows hold when the events arrive: the API or
// the cleaner already recorded the change each event announces.
var scenarios = []scenario{
	{"approval then termination by the lessee", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.leased(dev, lease.ManuallyTerminated, account.Active, account.Available)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			approved(l, id),
			terminated(l, id, events.TerminationManual, "done"),
		}
	}, "account0: CleanUp holder=- cleanupRun=false; ou=CleanUp; access=[]\nlease0: ManuallyTerminated\n"},
	{"freeze then unfreeze by a manager", func(w *world) ([]string, []lease.Key, []events.Event) {
		// The freeze was applied; the unfreeze is recorded on the lease.
		l, id := w.leased(dev, lease.Active, account.Frozen, account.Frozen)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			events.LeaseFrozen{LeaseID: l.Key, AccountID: id, Reason: events.FrozenManually("by manager")},
			events.LeaseUnfrozen{LeaseID: l.Key, AccountID: id, Reason: "by manager"},
		}
	}, "account0: Active holder=lease0 cleanupRun=false; ou=Active; access=[dev@example.com]\nlease0: Active\n"},
	{"freezing alert then budget exceeded", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.inUse()
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			budgetAlert(l.Key, id),
			events.LeaseBudgetExceeded{LeaseID: l.Key, AccountID: id, Budget: 50, TotalSpend: 51},
		}
	}, "account0: CleanUp holder=- cleanupRun=false; ou=CleanUp; access=[]\nlease0: BudgetExceeded\n"},
	{"expiry then the termination it announces", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.leased(dev, lease.Frozen, account.Frozen, account.Frozen)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			events.LeaseExpired{LeaseID: l.Key, AccountID: id, LeaseExpirationDate: t0},
			events.LeaseTerminated{LeaseID: l.Key, AccountID: id, Reason: events.TerminatedExpired(ptr(24))},
		}
	}, "account0: CleanUp holder=- cleanupRun=false; ou=CleanUp; access=[]\nlease0: Expired\n"},
	{"registration cleanup request then cleanup success", func(w *world) ([]string, []lease.Key, []events.Event) {
		id := cleanedRun(w, account.Entry, account.CleanupSucceeded)
		return []string{id}, nil, []events.Event{
			events.CleanAccountRequest{AccountID: id, Reason: events.CleanupAccountRegistration},
			cleanupSucceeded(id, "arn:aws:states:run-"+id, events.CleanupAccountRegistration),
		}
	}, "account0: Available holder=- cleanupRun=false; ou=Available; access=[]\n"},
	{"a cleanup failure below the limit", func(w *world) ([]string, []lease.Key, []events.Event) {
		id := cleanedRun(w, account.CleanUp, account.CleanupFailed)
		return []string{id}, nil, []events.Event{
			cleanupFailed(id, "arn:aws:states:run-"+id, events.CleanupLeaseTermination, 1),
		}
	}, "account0: CleanUp holder=- cleanupRun=false; ou=CleanUp; access=[]\n"},
	{"a cleanup failure at the limit then a drift report", func(w *world) ([]string, []lease.Key, []events.Event) {
		id := cleanedRun(w, account.CleanUp, account.CleanupFailed)
		return []string{id}, nil, []events.Event{
			cleanupFailed(id, "arn:aws:states:run-"+id, events.CleanupRetryFailed, 3),
			drifted(id, account.CleanUp, account.Quarantine),
		}
	}, "account0: Quarantine holder=- cleanupRun=true; ou=Quarantine; access=[]\n"},
	{"late lease events of an ejected account", func(w *world) ([]string, []lease.Key, []events.Event) {
		// The API ejected the account (lease ended, row deleted) but the
		// lessee's assignment is still there (an eject that predates the
		// revocation, or a grant that raced it).
		l, id := w.leased(dev, lease.Ejected, account.Active, account.Exit)
		w.deleteRow(id)
		w.grantAccess(id, dev)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			approved(l, id),
			terminated(l, id, events.TerminationEjected, "account ejected from the pool"),
		}
	}, "account0: no row; ou=Exit; access=[]\nlease0: Ejected\n"},
	{"a leased account that left the pool is forgotten", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.inUse()
		w.moveTo(id, "")
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			events.AccountDriftDetected{AccountID: id, ExpectedOU: string(account.Active)},
			terminated(l, id, events.TerminationEjected, "the account left the pool's OUs"),
		}
	}, "account0: no row; ou=root; access=[]\nlease0: Ejected\n"},
	{"a cleanup retried from quarantine", func(w *world) ([]string, []lease.Key, []events.Event) {
		// The API moved the row from Quarantine to CleanUp.
		id := w.newAccount(account.Quarantine)
		w.row(account.Account{ID: id, Status: account.CleanUp, CleanupFailures: 3})
		return []string{id}, nil, []events.Event{
			events.CleanAccountRequest{AccountID: id, Reason: events.CleanupRetryFailed},
		}
	}, "account0: CleanUp holder=- cleanupRun=false; ou=CleanUp; access=[]\n"},
	{"an untracked account in a pool OU", func(w *world) ([]string, []lease.Key, []events.Event) {
		id := w.newAccount(account.Available)
		w.grantAccess(id, dev)
		return []string{id}, nil, []events.Event{
			events.AccountDriftDetected{AccountID: id, ActualOU: string(account.Available)},
		}
	}, "account0: Quarantine holder=- cleanupRun=false; ou=Quarantine; access=[]\n"},
	{"drift of a leased account", func(w *world) ([]string, []lease.Key, []events.Event) {
		l, id := w.leased(dev, lease.Active, account.Active, account.Available)
		w.grantAccess(id, dev)
		return []string{id}, []lease.Key{l.Key}, []events.Event{
			drifted(id, account.Active, account.Available),
		}
	}, "account0: Quarantine holder=- cleanupRun=false; ou=Quarantine; access=[]\nlease0: AccountQuarantined\n"},
}

// TestDuplicatesAndReorderingEndInTheSameState delivers each scenario's
// events once in order, each twice, and in reverse order, and requires the
// scenario's end state every time, with the invariants holding.
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
			if want != sc.want {
				t.Errorf("state after the events in order:\n%s\nwant:\n%s", want, sc.want)
			}
			want = sc.want
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
