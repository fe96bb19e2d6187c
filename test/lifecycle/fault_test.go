package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/test/fixture"
)

// injector fails the k-th AWS call the service makes (counting from 1),
// once. Before, the call never reaches AWS; after, AWS did the work but
// the caller sees an error (a lost response).
type injector struct {
	k      int64
	after  bool
	calls  atomic.Int64
	failed atomic.Value // the operation that failed

	mu  sync.Mutex
	ops []string // every call made, in order
}

// changesNothing reports whether an operation only reads (or only hands
// out credentials): losing its response is the same fault as failing it
// before it is made, so only the latter is injected.
func changesNothing(op string) bool {
	name := op[strings.LastIndex(op, ".")+1:]
	for _, p := range []string{"Get", "List", "Describe", "Query", "Scan", "BatchGet", "AssumeRole"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

var errInjected = errors.New("injected fault")

func (in *injector) install(cfg *aws.Config) {
	fixture.Intercept(cfg, "InjectFault", func(ctx context.Context, input middleware.InitializeInput,
		next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		n := in.calls.Add(1)
		op := awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx)
		in.mu.Lock()
		in.ops = append(in.ops, op)
		in.mu.Unlock()
		if n != in.k {
			return next.HandleInitialize(ctx, input)
		}
		in.failed.Store(op)
		if !in.after {
			return middleware.InitializeOutput{}, middleware.Metadata{}, fmt.Errorf("%s: %w", op, errInjected)
		}
		out, md, err := next.HandleInitialize(ctx, input)
		if err != nil {
			return out, md, err
		}
		return middleware.InitializeOutput{}, md, fmt.Errorf("%s (response lost): %w", op, errInjected)
	})
}

// step is what a transition retries until it succeeds: one event
// delivered to the handler, or a call to the API's service followed by
// the event it announces.
type step func(w *world) error

// onLease is a set-up's answer: the account id and the lease l, with the
// step that delivers ev.
func onLease(id string, l lease.Lease, ev events.Event) ([]string, []lease.Key, step) {
	return []string{id}, []lease.Key{l.Key}, deliver(ev)
}

// onAccount is a set-up's answer for the account id alone, with the step
// that delivers ev.
func onAccount(id string, ev events.Event) ([]string, []lease.Key, step) {
	return []string{id}, nil, deliver(ev)
}

// deliver is the step that hands ev to the handler.
func deliver(ev events.Event) step {
	return func(w *world) error {
		if r := w.send(ev); len(r.BatchItemFailures) > 0 {
			return fmt.Errorf("%s failed", ev.DetailType())
		}
		return nil
	}
}

// transition is one multi-step change driven by one step, and the state
// it ends in (a snapshot).
type transition struct {
	name  string
	setup func(w *world) ([]string, []lease.Key, step)
	want  string
}

// failedRun records a cleanup run of the account that ended in failure,
// failures in a row counted, with the account in CleanUp.
func failedRun(w *world, failures int) (string, events.Event) {
	id := w.newAccount(account.CleanUp)
	arn := "arn:aws:states:run-" + id
	w.row(account.Account{ID: id, Status: account.CleanUp, CleanupFailures: failures,
		Cleanup: &account.CleanupExecution{ExecutionARN: arn, StartedAt: t0, Outcome: account.CleanupFailed}})
	return id, events.AccountCleanupFailed{
		AccountID:               id,
		CleanupExecutionContext: run(arn),
		Reason:                  events.CleanupLeaseTermination,
		ConsecutiveFailures:     failures,
		ErrorMessage:            "nuke failed",
	}
}

// transitions are every lifecycle transition the manager (or the eject
// route) drives. The starting state is what the rows hold when the step
// runs.
var transitions = []transition{
	{"budget exceeded: lease ends, account to cleanup, access revoked", func(w *world) ([]string, []lease.Key, step) {
		l, id := w.inUse()
		return onLease(id, l, events.LeaseBudgetExceeded{LeaseID: l.Key, AccountID: id, Budget: 50, TotalSpend: 51})
	}, "account0: CleanUp holder=- cleanupRun=false; ou=CleanUp; access=[]\nlease0: BudgetExceeded\n"},
	{"approval: account to Active, access granted", func(w *world) ([]string, []lease.Key, step) {
		l, id := w.leased(dev, lease.Active, account.Active, account.Available)
		return onLease(id, l, approved(l, id))
	}, "account0: Active holder=lease0 cleanupRun=false; ou=Active; access=[dev@example.com]\nlease0: Active\n"},
	{"freeze: lease and account frozen, access revoked", func(w *world) ([]string, []lease.Key, step) {
		l, id := w.inUse()
		return onLease(id, l, budgetAlert(l.Key, id))
	}, "account0: Frozen holder=lease0 cleanupRun=false; ou=Frozen; access=[]\nlease0: Frozen\n"},
	{"unfreeze: account back to Active, access granted", func(w *world) ([]string, []lease.Key, step) {
		l, id := w.leased(dev, lease.Active, account.Frozen, account.Frozen)
		return onLease(id, l, events.LeaseUnfrozen{LeaseID: l.Key, AccountID: id, Reason: "by manager"})
	}, "account0: Active holder=lease0 cleanupRun=false; ou=Active; access=[dev@example.com]\nlease0: Active\n"},
	{"termination: account to cleanup, access revoked", func(w *world) ([]string, []lease.Key, step) {
		l, id := w.leased(dev, lease.ManuallyTerminated, account.Active, account.Active)
		w.grantAccess(id, dev)
		return onLease(id, l, events.LeaseTerminated{LeaseID: l.Key, AccountID: id,
			Reason: events.TerminatedWithComment(events.TerminationManual, "done")})
	}, "account0: CleanUp holder=- cleanupRun=false; ou=CleanUp; access=[]\nlease0: ManuallyTerminated\n"},
	{"cleanup success: account Available", func(w *world) ([]string, []lease.Key, step) {
		id := w.newAccount(account.CleanUp)
		arn := "arn:aws:states:run-" + id
		w.row(account.Account{ID: id, Status: account.CleanUp,
			Cleanup: &account.CleanupExecution{ExecutionARN: arn, StartedAt: t0, Outcome: account.CleanupSucceeded}})
		return onAccount(id, cleanupSucceeded(id, arn, events.CleanupLeaseTermination))
	}, "account0: Available holder=- cleanupRun=false; ou=Available; access=[]\n"},
	{"cleanup failure below the limit: another cleanup asked", func(w *world) ([]string, []lease.Key, step) {
		id, ev := failedRun(w, 1)
		return onAccount(id, ev)
	}, "account0: CleanUp holder=- cleanupRun=false; ou=CleanUp; access=[]\n"},
	{"cleanup failure at the limit: account quarantined", func(w *world) ([]string, []lease.Key, step) {
		id, ev := failedRun(w, 3)
		return onAccount(id, ev)
	}, "account0: Quarantine holder=- cleanupRun=true; ou=Quarantine; access=[]\n"},
	{"retry cleanup: a quarantined account back to CleanUp", func(w *world) ([]string, []lease.Key, step) {
		id := w.newAccount(account.Quarantine)
		w.row(account.Account{ID: id, Status: account.CleanUp, CleanupFailures: 3})
		return onAccount(id, events.CleanAccountRequest{AccountID: id, Reason: events.CleanupRetryFailed})
	}, "account0: CleanUp holder=- cleanupRun=false; ou=CleanUp; access=[]\n"},
	{"eject: lease ends, access revoked, account to Exit, row deleted", func(w *world) ([]string, []lease.Key, step) {
		l, id := w.inUse()
		ended := deliver(events.LeaseTerminated{LeaseID: l.Key, AccountID: id,
			Reason: events.TerminatedWithComment(events.TerminationEjected, "account ejected from the pool")})
		return []string{id}, []lease.Key{l.Key}, func(w *world) error {
			// A retried ejection of a row already deleted answers 404:
			// the ejection is complete.
			if err := w.pool.Eject(context.Background(), id); err != nil && !errors.Is(err, fault.NotFound) {
				return err
			}
			return ended(w)
		}
	}, "account0: no row; ou=Exit; access=[]\nlease0: Ejected\n"},
	{"drift: lease ends, account quarantined, access revoked", func(w *world) ([]string, []lease.Key, step) {
		l, id := w.leased(dev, lease.Frozen, account.Frozen, account.Available)
		return onLease(id, l, drifted(id, account.Frozen, account.Available))
	}, "account0: Quarantine holder=- cleanupRun=false; ou=Quarantine; access=[]\nlease0: AccountQuarantined\n"},
	{
		"drift: a leased account that left the pool is forgotten, access revoked first",
		func(w *world) ([]string, []lease.Key, step) {
			l, id := w.inUse()
			w.moveTo(id, "")
			return onLease(id, l, events.AccountDriftDetected{AccountID: id, ExpectedOU: string(account.Active)})
		},
		"account0: no row; ou=root; access=[]\nlease0: Ejected\n",
	},
	{
		"drift: an untracked account in a pool OU is recorded in quarantine",
		func(w *world) ([]string, []lease.Key, step) {
			id := w.newAccount(account.Frozen)
			w.grantAccess(id, dev)
			return onAccount(id, events.AccountDriftDetected{AccountID: id, ActualOU: string(account.Frozen)})
		},
		"account0: Quarantine holder=- cleanupRun=false; ou=Quarantine; access=[]\n",
	},
}

// TestEveryFailedStepIsRetriedToCompletion fails the k-th AWS call of a
// transition, for every k, before the call and after it (lost response),
// then redelivers the event: the transition must converge to the state a
// fault-free run reaches, with every invariant holding.
func TestEveryFailedStepIsRetriedToCompletion(t *testing.T) {
	for _, tr := range transitions {
		t.Run(tr.name, func(t *testing.T) {
			var calls int64
			var ops []string
			var want string
			{
				in := &injector{k: -1}
				w := newWorld(t, in.install)
				accounts, leases, do := tr.setup(w)
				if err := do(w); err != nil {
					t.Fatalf("a fault-free run fails: %v", err)
				}
				calls = in.calls.Load()
				ops = in.ops
				want = w.snapshot(accounts, leases)
				if want != tr.want {
					t.Fatalf("a fault-free run ends in\n%s\nwant\n%s", want, tr.want)
				}
				if p := w.invariants(leases); len(p) > 0 {
					t.Fatalf("a fault-free run breaks the invariants: %v", p)
				}
			}
			t.Logf("a fault-free run makes %d AWS calls: %v", calls, ops)
			if calls < 5 {
				t.Fatalf("the transition made only %d AWS calls; the injector is not in the path", calls)
			}
			// One world for all the faults of this transition: each run gets
			// its own account and lease, and a fresh handler (cold caches).
			w := newWorld(t)
			for _, after := range []bool{false, true} {
				for k := int64(1); k <= calls; k++ {
					mode := "before"
					if after {
						mode = "after"
						if changesNothing(ops[k-1]) {
							continue
						}
					}
					t.Run(fmt.Sprintf("call %d fails %s it is made", k, mode), func(t *testing.T) {
						in := &injector{k: k, after: after}
						w.t = t
						w.handler = w.newHandler(in.install)
						accounts, leases, do := tr.setup(w)
						failures := 0
						for attempt := 0; ; attempt++ {
							if attempt == 4 {
								t.Fatalf("no convergence after %d deliveries (fault on %v)", attempt, in.failed.Load())
							}
							if err := do(w); err == nil {
								break
							}
							failures++
						}
						if in.failed.Load() == nil {
							t.Fatalf("call %d was never made", k)
						}
						if p := w.invariantsOf(accounts, leases); len(p) > 0 {
							t.Errorf("invariants broken after a fault on %v: %v", in.failed.Load(), p)
						}
						if got := w.snapshot(accounts, leases); got != want {
							t.Errorf(
								"fault on %v (%d failed deliveries): state\n%s\nwant\n%s",
								in.failed.Load(),
								failures,
								got,
								want,
							)
						}
					})
				}
			}
			w.t = t
			if p := w.invariants(nil); len(p) > 0 {
				t.Errorf("invariants broken across the runs: %v", p)
			}
		})
	}
}
