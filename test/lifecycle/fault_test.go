package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
)

// injector fails the k-th AWS call the service makes (counting from 1),
// once. Before, the call never reaches AWS; after, AWS did the work but
// the caller sees an error (a lost response).
type injector struct {
	k      int64
	after  bool
	calls  atomic.Int64
	failed atomic.Value // the operation that failed
}

var errInjected = errors.New("injected fault")

func (in *injector) install(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("InjectFault",
			func(ctx context.Context, input middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				n := in.calls.Add(1)
				op := awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx)
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
			}), middleware.Before)
	})
}

// transition is one multi-step change driven by one event.
type transition struct {
	name  string
	setup func(w *world) ([]string, []lease.Key, events.Event)
}

var transitions = []transition{
	{"budget exceeded: lease ends, account to cleanup, access revoked", func(w *world) ([]string, []lease.Key, events.Event) {
		l, id := w.leased(dev, lease.Active, account.Active, account.Active)
		w.grantAccess(id, dev)
		return []string{id}, []lease.Key{l.Key}, events.LeaseBudgetExceeded{LeaseID: l.Key, AccountID: id, Budget: 50, TotalSpend: 51}
	}},
	{"approval: account to Active, access granted", func(w *world) ([]string, []lease.Key, events.Event) {
		l, id := w.leased(dev, lease.Active, account.Active, account.Available)
		return []string{id}, []lease.Key{l.Key}, events.LeaseApproved{LeaseID: l.Key, AccountID: id, ApprovedBy: "manager@example.com"}
	}},
	{"drift: lease ends, account quarantined, access revoked", func(w *world) ([]string, []lease.Key, events.Event) {
		l, id := w.leased(dev, lease.Frozen, account.Frozen, account.Available)
		return []string{id}, []lease.Key{l.Key}, events.AccountDriftDetected{AccountID: id, ExpectedOU: string(account.Frozen), ActualOU: string(account.Available)}
	}},
}

// TestEveryFailedStepIsRetriedToCompletion fails the k-th AWS call of a
// transition, for every k, before the call and after it (lost response),
// then redelivers the event: the transition must converge to the state a
// fault-free run reaches, with every invariant holding.
func TestEveryFailedStepIsRetriedToCompletion(t *testing.T) {
	for _, tr := range transitions {
		t.Run(tr.name, func(t *testing.T) {
			var calls int64
			var want string
			{
				in := &injector{k: -1}
				w := newWorld(t, in.install)
				accounts, leases, ev := tr.setup(w)
				w.ok(ev)
				calls = in.calls.Load()
				want = w.snapshot(accounts, leases)
				if p := w.invariants(leases); len(p) > 0 {
					t.Fatalf("a fault-free run breaks the invariants: %v", p)
				}
			}
			t.Logf("a fault-free run makes %d AWS calls", calls)
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
					}
					t.Run(fmt.Sprintf("call %d fails %s it is made", k, mode), func(t *testing.T) {
						in := &injector{k: k, after: after}
						w.t = t
						w.handler = w.newHandler(in.install)
						accounts, leases, ev := tr.setup(w)
						failures := 0
						for attempt := 0; ; attempt++ {
							if attempt == 4 {
								t.Fatalf("no convergence after %d deliveries (fault on %v)", attempt, in.failed.Load())
							}
							if r := w.send(ev); len(r.BatchItemFailures) == 0 {
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
							t.Errorf("fault on %v (%d failed deliveries): state\n%s\nwant\n%s", in.failed.Load(), failures, got, want)
						}
					})
				}
			}
			w.t = t
			if p := w.invariants(nil); len(p) > 0 {
				t.Errorf("invariants broken across the %d runs: %v", 2*calls, p)
			}
		})
	}
}
