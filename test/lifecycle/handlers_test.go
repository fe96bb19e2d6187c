package lifecycle_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go/middleware"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/test/fixture"
)

const dev = "dev@example.com"

func run(arn string) events.ExecutionContext {
	return events.ExecutionContext{StateMachineExecutionArn: arn, StateMachineExecutionStartTime: t0.Add(-time.Hour)}
}

// cleanupRun writes the row of account id in CleanUp with the cleanup
// run arn, started at t0, and its recorded outcome ("" while it runs).
func (w *world) cleanupRun(id, arn, outcome string) {
	w.t.Helper()
	w.row(account.Account{ID: id, Status: account.CleanUp,
		Cleanup: &account.CleanupExecution{ExecutionARN: arn, StartedAt: t0, Outcome: outcome}})
}

// budgetAlert is the freezing alert of lease k on account id: a spend of 41
// past the threshold of 40 of a budget of 50.
func budgetAlert(k lease.Key, id string) events.LeaseFreezingThresholdAlert {
	return events.LeaseFreezingThresholdAlert{LeaseID: k, AccountID: id,
		Reason: events.FrozenByBudget(40, ptr(50.0), 41)}
}

// approved is a manager's approval of lease l on account id.
func approved(l lease.Lease, id string) events.LeaseApproved {
	return events.LeaseApproved{LeaseID: l.Key, AccountID: id, ApprovedBy: "manager@example.com"}
}

// terminated is the end of lease l on account id, for the reason kind.
func terminated(l lease.Lease, id string, kind events.TerminationType, comment string) events.LeaseTerminated {
	return events.LeaseTerminated{LeaseID: l.Key, AccountID: id, Reason: events.TerminatedWithComment(kind, comment)}
}

// drifted is the drift monitor's report of account id found in actual
// while its row says expected.
func drifted(id string, expected, actual account.OU) events.AccountDriftDetected {
	return events.AccountDriftDetected{AccountID: id, ExpectedOU: string(expected), ActualOU: string(actual)}
}

// cleanupSucceeded is the success of the cleanup run arn of account id.
func cleanupSucceeded(id, arn string, why events.CleanupReason) events.AccountCleanupSucceeded {
	return events.AccountCleanupSucceeded{AccountID: id, CleanupExecutionContext: run(arn), Reason: why}
}

// cleanupFailed is the failure of the cleanup run arn of account id, the
// account's failures-th in a row.
func cleanupFailed(id, arn string, why events.CleanupReason, failures int) events.AccountCleanupFailed {
	return events.AccountCleanupFailed{AccountID: id, CleanupExecutionContext: run(arn), Reason: why,
		ConsecutiveFailures: failures}
}

// wantEvents checks the detail-types of the events put on the bus, in order.
func wantEvents(t *testing.T, w *world, want ...string) {
	t.Helper()
	if got := w.detailTypes(); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

// wantLease checks the status of lease k.
func wantLease(t *testing.T, w *world, k lease.Key, status lease.Status) {
	t.Helper()
	if got := w.lease(k); got.Status != status {
		t.Errorf("lease = %s, want %s", got.Status, status)
	}
}

// cleaning creates an account in the CleanUp OU whose row records the
// cleanup run arn with its outcome, and returns its id.
func (w *world) cleaning(arn, outcome string) string {
	w.t.Helper()
	id := w.newAccount(account.CleanUp)
	w.cleanupRun(id, arn, outcome)
	return id
}

func wantAccount(t *testing.T, w *world, id string, status account.Status, access []string) {
	t.Helper()
	if a := w.account(id); a.Status != status {
		t.Errorf("account status = %s, want %s", a.Status, status)
	}
	if ou := w.ouOf(id); ou != string(status) {
		t.Errorf("account sits in %s, want %s", ou, status)
	}
	if got := w.assignees(id); !slices.Equal(got, access) {
		t.Errorf("user access = %v, want %v", got, access)
	}
}

func TestLeaseEventsMoveTheAccountAndSetAccess(t *testing.T) {
	t.Run("an approved lease's account moves to Active and the lessee gets access", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.leased(dev, lease.Active, account.Active, account.Available)
		w.ok(approved(l, id))
		wantAccount(t, w, id, account.Active, []string{w.users[dev]})
		if evs := w.detailTypes(); len(evs) != 0 {
			t.Errorf("events = %v, want none", evs)
		}
	})
	t.Run("a lessee without an Identity Center user gets no access, and nothing fails", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.leased("ghost@example.com", lease.Active, account.Active, account.Available)
		if _, err := w.ids.DeleteUser(t.Context(), &identitystore.DeleteUserInput{IdentityStoreId: aws.String(
			w.idc.IdentityStoreID),
			UserId: aws.String(w.users["ghost@example.com"])}); err != nil {
			t.Fatal(err)
		}
		w.ok(events.LeaseApproved{LeaseID: l.Key, AccountID: id, ApprovedBy: "m@example.com"})
		wantAccount(t, w, id, account.Active, nil)
	})
	t.Run("duplicate assignments of the lessee are reduced to one", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.inUse()
		w.grantAccess(id, dev)
		w.ok(approved(l, id))
		wantAccount(t, w, id, account.Active, []string{w.users[dev]})
	})
	t.Run("a late termination of an earlier lease leaves the account's next lease alone", func(t *testing.T) {
		w := newWorld(t)
		next, id := w.leased("next@example.com", lease.Active, account.Active, account.Active)
		w.grantAccess(id, "next@example.com")
		old := lease.Key{UserEmail: dev, UUID: "00000000-0000-4000-8000-000000000001"}
		if _, err := w.Store.Leases().Create(t.Context(), lease.Lease{Key: old, Status: lease.ManuallyTerminated,
			AccountID: id,
			StartDate: t0.Add(-72 * time.Hour), EndDate: t0.Add(-48 * time.Hour), CreatedAt: t0.Add(-72 * time.Hour)},
			0); err != nil {
			t.Fatal(err)
		}
		w.ok(
			events.LeaseTerminated{
				LeaseID:   old,
				AccountID: id,
				Reason:    events.TerminatedWithComment(events.TerminationManual, "late"),
			},
		)
		wantAccount(t, w, id, account.Active, []string{w.users["next@example.com"]})
		if a := w.account(id); a.Lease == nil || *a.Lease != next.Key {
			t.Errorf("the account's lease = %v, want %v", a.Lease, next.Key)
		}
	})
	t.Run("a terminated lease's account goes to cleanup, loses access and is announced", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.leased(dev, lease.ManuallyTerminated, account.Active, account.Active)
		w.grantAccess(id, dev)
		w.ok(terminated(l, id, events.TerminationManual, "done"))
		wantAccount(t, w, id, account.CleanUp, nil)
		if a := w.account(id); a.Lease != nil {
			t.Errorf("the account still names lease %v", a.Lease)
		}
		wantEvents(t, w, names.CleanAccountRequest)
	})
	t.Run("a budget-exceeded lease ends and its account goes to cleanup in one step", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.inUse()
		w.ok(events.LeaseBudgetExceeded{LeaseID: l.Key, AccountID: id, Budget: 50, TotalSpend: 51})
		if got := w.lease(l.Key); got.Status != lease.BudgetExceeded || got.TTL == 0 {
			t.Errorf("lease = %s ttl %d, want BudgetExceeded with a TTL", got.Status, got.TTL)
		}
		wantAccount(t, w, id, account.CleanUp, nil)
		wantEvents(t, w, names.CleanAccountRequest, names.LeaseTerminated)
	})
	t.Run("an expired frozen lease ends and its account goes to cleanup", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.leased(dev, lease.Frozen, account.Frozen, account.Frozen)
		w.ok(events.LeaseExpired{LeaseID: l.Key, AccountID: id, LeaseExpirationDate: t0})
		wantLease(t, w, l.Key, lease.Expired)
		wantAccount(t, w, id, account.CleanUp, nil)
	})
	t.Run("an expired lease of half an hour is announced as lasting one whole hour", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.leased(dev, lease.Active, account.Active, account.Active)
		half := 0.5
		next := l
		next.LeaseDurationInHours = &half
		if _, err := w.Store.Leases().Save(t.Context(), l, next); err != nil {
			t.Fatal(err)
		}
		w.ok(events.LeaseExpired{LeaseID: l.Key, AccountID: id, LeaseExpirationDate: t0})
		wantAccount(t, w, id, account.CleanUp, nil)
		var ended []events.LeaseTerminated
		for _, r := range w.Tap.Drain(t) {
			if e, ok := r.Event.(events.LeaseTerminated); ok {
				ended = append(ended, e)
			}
		}
		if len(ended) != 1 || ended[0].Reason.LeaseDurationInHours == nil ||
			*ended[0].Reason.LeaseDurationInHours != 1 {
			t.Errorf("LeaseTerminated = %s, want one with leaseDurationInHours 1", fixture.JSON(ended))
		}
	})
	t.Run("a freezing alert freezes the lease and the account and revokes access", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.inUse()
		w.ok(budgetAlert(l.Key, id))
		wantLease(t, w, l.Key, lease.Frozen)
		wantAccount(t, w, id, account.Frozen, nil)
		wantEvents(t, w, names.LeaseFrozen)
	})
	t.Run("a freezing alert for a lease that already ended changes nothing", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.leased(dev, lease.Expired, account.CleanUp, account.CleanUp)
		w.ok(budgetAlert(l.Key, id))
		wantLease(t, w, l.Key, lease.Expired)
		wantAccount(t, w, id, account.CleanUp, nil)
	})
	t.Run("a lease frozen by a manager freezes its account", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.leased(dev, lease.Frozen, account.Active, account.Active)
		w.grantAccess(id, dev)
		w.ok(events.LeaseFrozen{LeaseID: l.Key, AccountID: id, Reason: events.FrozenManually("by manager")})
		wantAccount(t, w, id, account.Frozen, nil)
	})
	t.Run("an unfrozen lease's account becomes Active and the lessee gets access back", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.leased(dev, lease.Active, account.Frozen, account.Frozen)
		w.ok(events.LeaseUnfrozen{LeaseID: l.Key, AccountID: id, Reason: "by manager"})
		wantAccount(t, w, id, account.Active, []string{w.users[dev]})
	})
}

func TestAccountEventsMoveTheAccount(t *testing.T) {
	t.Run("a registered account leaves the Entry OU when its cleanup is requested", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.Entry)
		w.row(account.Account{ID: id, Status: account.CleanUp})
		w.ok(events.CleanAccountRequest{AccountID: id, Reason: events.CleanupAccountRegistration})
		wantAccount(t, w, id, account.CleanUp, nil)
	})
	t.Run("a successful cleanup makes the account Available", func(t *testing.T) {
		w := newWorld(t)
		id := w.cleaning("arn:aws:states:run-1", "")
		w.ok(cleanupSucceeded(id, "arn:aws:states:run-1", events.CleanupLeaseTermination))
		wantAccount(t, w, id, account.Available, nil)
		if a := w.account(id); !a.LastCleanedAt.Equal(t0) || a.Cleanup != nil {
			t.Errorf("account = %+v, want cleaned at t0 with no run recorded", a)
		}
	})
	t.Run("a success of an earlier cleanup run does not end the current one", func(t *testing.T) {
		w := newWorld(t)
		id := w.cleaning("arn:aws:states:run-2", "")
		w.ok(cleanupSucceeded(id, "arn:aws:states:run-1", events.CleanupLeaseTermination))
		wantAccount(t, w, id, account.CleanUp, nil)
	})
	t.Run("a failed cleanup below the limit asks for another run, once", func(t *testing.T) {
		w := newWorld(t)
		id := w.cleaning("arn:aws:states:run-1", account.CleanupFailed)
		failed := cleanupFailed(id, "arn:aws:states:run-1", events.CleanupLeaseTermination, 1)
		w.ok(failed, failed)
		wantAccount(t, w, id, account.CleanUp, nil)
		wantEvents(t, w, names.CleanAccountRequest)
	})
	t.Run("a failed cleanup at the limit quarantines the account", func(t *testing.T) {
		w := newWorld(t)
		id := w.cleaning("arn:aws:states:run-3", account.CleanupFailed)
		w.ok(
			events.AccountCleanupFailed{
				AccountID:               id,
				CleanupExecutionContext: run("arn:aws:states:run-3"),
				Reason:                  events.CleanupRetryFailed,
				ConsecutiveFailures:     3,
				ErrorMessage:            "nuke failed",
			},
		)
		wantAccount(t, w, id, account.Quarantine, nil)
		wantEvents(t, w, names.AccountQuarantined)
	})
	t.Run("drift of a leased account quarantines it and ends the lease", func(t *testing.T) {
		w := newWorld(t)
		l, id := w.inUse()
		w.moveTo(id, account.Available)
		w.ok(drifted(id, account.Active, account.Available))
		wantLease(t, w, l.Key, lease.AccountQuarantined)
		wantAccount(t, w, id, account.Quarantine, nil)
		wantEvents(t, w, names.AccountQuarantined, names.LeaseTerminated)
	})
	t.Run("a stale drift report changes nothing", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.Available)
		w.row(account.Account{ID: id, Status: account.Available})
		w.ok(drifted(id, account.Available, account.CleanUp))
		wantAccount(t, w, id, account.Available, nil)
	})
	t.Run(
		"a drift report on a registered account still in Entry moves it instead of quarantining it",
		func(t *testing.T) {
			w := newWorld(t)
			id := w.newAccount(account.Entry)
			w.row(account.Account{ID: id, Status: account.CleanUp})
			w.ok(drifted(id, account.CleanUp, account.Entry))
			wantAccount(t, w, id, account.CleanUp, nil)
		},
	)
	t.Run("an account that left every pool OU loses its row", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.Available)
		w.row(account.Account{ID: id, Status: account.Available})
		w.moveTo(id, "")
		w.ok(events.AccountDriftDetected{AccountID: id, ExpectedOU: string(account.Available)})
		if _, err := w.Store.Accounts().Get(t.Context(), id); err == nil {
			t.Error("the row is still there")
		}
		if ou := w.ouOf(id); ou != "root" {
			t.Errorf("the account was moved to %s", ou)
		}
	})
	t.Run("an untracked account inside the pool is recorded in quarantine", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.Available)
		w.ok(events.AccountDriftDetected{AccountID: id, ActualOU: string(account.Available)})
		wantAccount(t, w, id, account.Quarantine, nil)
	})
}

func TestTheHandlerWorksInBatches(t *testing.T) {
	w := newWorld(t)
	ok1 := w.newAccount(account.Entry)
	w.row(account.Account{ID: ok1, Status: account.CleanUp})
	ok2 := w.newAccount(account.Entry)
	w.row(account.Account{ID: ok2, Status: account.CleanUp})
	// A row for an account the organization does not know: every event of
	// it fails, as an unreachable account would.
	bad := "999999999999"
	w.row(account.Account{ID: bad, Status: account.CleanUp})
	batch := []events.Event{
		events.CleanAccountRequest{AccountID: ok1, Reason: events.CleanupAccountRegistration},
		events.CleanAccountRequest{AccountID: bad, Reason: events.CleanupAccountRegistration},
		events.CleanAccountRequest{AccountID: ok2, Reason: events.CleanupAccountRegistration},
		events.CleanAccountRequest{AccountID: bad, Reason: events.CleanupRetryFailed},
	}
	resp := w.send(batch...)
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	slices.Sort(failed)
	t.Run("only the failing account's messages are reported, both of them", func(t *testing.T) {
		if !slices.Equal(failed, []string{"m1", "m3"}) {
			t.Errorf("failures = %v, want [m1 m3]", failed)
		}
	})
	t.Run("the other accounts were handled", func(t *testing.T) {
		wantAccount(t, w, ok1, account.CleanUp, nil)
		wantAccount(t, w, ok2, account.CleanUp, nil)
	})
	t.Run("a message that is not a platform event is dropped, not retried", func(t *testing.T) {
		resp, err := w.handler.Handle(t.Context(), awsevents.SQSEvent{Records: []awsevents.SQSMessage{
			{MessageId: "junk", Body: "{not json"},
			{
				MessageId: "unknown",
				Body: mustJSON(
					map[string]any{
						"version":     "0",
						"id":          "x",
						"detail-type": "Nope",
						"source":      "isb.api",
						"time":        t0,
						"detail":      map[string]any{},
					},
				),
			},
		}})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Errorf("response = %+v, %v; want no failures", resp, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestItsOwnEventsComingBackThroughTheBusChangeNothing(t *testing.T) {
	w := newWorld(t)
	l, id := w.inUse()
	w.ok(events.LeaseBudgetExceeded{LeaseID: l.Key, AccountID: id, Budget: 50, TotalSpend: 51})
	before := w.snapshot([]string{id}, []lease.Key{l.Key})
	// The bus delivered LeaseTerminated and CleanAccountRequest to the tap
	// as EventBridge envelopes; hand the same bodies to the handler.
	received := w.Tap.Drain(t)
	var batch awsevents.SQSEvent
	for i, r := range received {
		body, err := json.Marshal(r.Envelope)
		if err != nil {
			t.Fatal(err)
		}
		batch.Records = append(batch.Records, awsevents.SQSMessage{MessageId: fmt.Sprint(i), Body: string(body)})
	}
	if len(batch.Records) != 2 {
		t.Fatalf("the bus carried %d events, want 2", len(batch.Records))
	}
	resp, err := w.handler.Handle(t.Context(), batch)
	if err != nil || len(resp.BatchItemFailures) > 0 {
		t.Fatalf("response = %+v, %v", resp, err)
	}
	if after := w.snapshot([]string{id}, []lease.Key{l.Key}); after != before {
		t.Errorf("state changed:\n%s\nwas:\n%s", after, before)
	}
	if got := w.detailTypes(); len(got) != 0 {
		t.Errorf("it announced %v again", got)
	}
}

// TestNoOneKeepsAccessToAnAccountWithoutARow delivers every lifecycle
// event for an account whose row is gone (ejected, forgotten) while a
// user assignment is left on it: whatever the event, the assignment goes.
func TestNoOneKeepsAccessToAnAccountWithoutARow(t *testing.T) {
	w := newWorld(t)
	k := lease.Key{UserEmail: dev, UUID: "00000000-0000-4000-8000-0000000000e1"}
	tests := []struct {
		name string
		ev   func(id string) events.Event
	}{
		{"a late approval", func(id string) events.Event {
			return events.LeaseApproved{LeaseID: k, AccountID: id, ApprovedBy: "manager@example.com"}
		}},
		{"a termination", func(id string) events.Event {
			return events.LeaseTerminated{
				LeaseID:   k,
				AccountID: id,
				Reason:    events.TerminatedWithComment(events.TerminationEjected, "ejected"),
			}
		}},
		{"a freeze", func(id string) events.Event {
			return events.LeaseFrozen{LeaseID: k, AccountID: id, Reason: events.FrozenManually("by manager")}
		}},
		{"an unfreeze", func(id string) events.Event {
			return events.LeaseUnfrozen{LeaseID: k, AccountID: id, Reason: "by manager"}
		}},
		{"a freezing alert", func(id string) events.Event {
			return budgetAlert(k, id)
		}},
		{"a budget exceeded", func(id string) events.Event {
			return events.LeaseBudgetExceeded{LeaseID: k, AccountID: id, Budget: 50, TotalSpend: 51}
		}},
		{"an expiry", func(id string) events.Event {
			return events.LeaseExpired{LeaseID: k, AccountID: id, LeaseExpirationDate: t0}
		}},
		{"a cleanup request", func(id string) events.Event {
			return events.CleanAccountRequest{AccountID: id, Reason: events.CleanupRetryFailed}
		}},
		{"a cleanup success", func(id string) events.Event {
			return cleanupSucceeded(id, "arn:aws:states:run-1", events.CleanupLeaseTermination)
		}},
		{"a cleanup failure", func(id string) events.Event {
			return cleanupFailed(id, "arn:aws:states:run-1", events.CleanupLeaseTermination, 1)
		}},
		{"a drift report of an account in Exit", func(id string) events.Event {
			return events.AccountDriftDetected{AccountID: id, ActualOU: string(account.Exit)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" on an ejected account revokes the left-over assignment", func(t *testing.T) {
			w.t = t
			id := w.newAccount(account.Exit)
			w.grantAccess(id, dev)
			w.ok(tt.ev(id))
			if got := w.assignees(id); len(got) != 0 {
				t.Errorf("user access = %v, want none", got)
			}
			if _, err := w.Store.Accounts().Get(t.Context(), id); err == nil {
				t.Error("a row was created for the ejected account")
			}
		})
	}
}

// moves records, in order, the OUs the service moves accounts into.
type moves struct {
	mu  sync.Mutex
	ids []string
}

func (m *moves) install(cfg *aws.Config) {
	fixture.Intercept(cfg, "RecordMoves", func(ctx context.Context, in middleware.InitializeInput,
		next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if mv, ok := in.Parameters.(*organizations.MoveAccountInput); ok {
			m.mu.Lock()
			m.ids = append(m.ids, aws.ToString(mv.DestinationParentId))
			m.mu.Unlock()
		}
		return next.HandleInitialize(ctx, in)
	})
}

func TestEveryOUMoveIsAMoveOfTheTable(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world) (string, events.Event)
		want  []account.OU
	}{
		{
			"a registered account cleaned before it left Entry passes through CleanUp",
			func(w *world) (string, events.Event) {
				id := cleanedRun(w, account.Entry, account.CleanupSucceeded)
				return id, cleanupSucceeded(id, "arn:aws:states:run-"+id, events.CleanupAccountRegistration)
			},
			[]account.OU{account.CleanUp, account.Available},
		},
		{"a frozen account still in Available passes through Active", func(w *world) (string, events.Event) {
			l, id := w.leased(dev, lease.Frozen, account.Frozen, account.Available)
			return id, events.LeaseFrozen{LeaseID: l.Key, AccountID: id, Reason: events.FrozenManually("by manager")}
		}, []account.OU{account.Active, account.Frozen}},
		{"a granted account moves once", func(w *world) (string, events.Event) {
			l, id := w.leased(dev, lease.Active, account.Active, account.Available)
			return id, approved(l, id)
		}, []account.OU{account.Active}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &moves{}
			w := newWorld(t, rec.install)
			id, ev := tt.setup(w)
			w.ok(ev)
			var got []account.OU
			for _, dst := range rec.ids {
				for ou, ouID := range w.org.OUs {
					if ouID == dst {
						got = append(got, ou)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("moves into %v, want %v", got, tt.want)
			}
			if ou := w.ouOf(id); ou != string(tt.want[len(tt.want)-1]) {
				t.Errorf("the account sits in %s", ou)
			}
		})
	}
}
