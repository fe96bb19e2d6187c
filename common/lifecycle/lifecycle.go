// Package lifecycle is the account lifecycle manager: it acts on lease and
// account events by recording the status changes they imply and then
// bringing AWS in line with what is recorded.
//
// It is level-triggered. An event is only a trigger: the handler reads the
// lease and the account, decides from their recorded statuses (not from
// the event's type) what must change, writes that with the stores'
// conditional writes (a lease and its account together when both change,
// with the events that announce it in the same transaction), and then
// reconciles AWS to the account row: the account sits in the pool OU its
// status names (one move of the account move table at a time), and the
// lessee's IAM Identity Center assignment exists exactly while the lease
// holding the account is Active. An account with no row keeps no user
// assignment, whichever event names it. Every step looks
// before it acts, so a duplicate or late event finds the work done and
// succeeds, and a step that failed is simply retried: the next attempt
// starts again from the recorded state and converges.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/outbox"
)

// Accounts is the account store.
type Accounts interface {
	Create(ctx context.Context, a account.Account, recs ...events.Record) (account.Account, error)
	Get(ctx context.Context, id string) (account.Account, error)
	Save(ctx context.Context, read, next account.Account, recs ...events.Record) (account.Account, error)
	Delete(ctx context.Context, read account.Account, recs ...events.Record) error
}

// Leases is the lease store.
type Leases interface {
	Get(ctx context.Context, k lease.Key) (lease.Lease, error)
	Save(ctx context.Context, read, next lease.Lease, recs ...events.Record) (lease.Lease, error)
}

// Pair writes a lease and its account in one transaction.
type Pair interface {
	SaveLeaseAndAccount(
		ctx context.Context,
		lRead, lNext lease.Lease,
		aRead, aNext account.Account,
		recs ...events.Record,
	) (lease.Lease, account.Account, error)
}

// Deps are the service's collaborators.
type Deps struct {
	Accounts Accounts
	Leases   Leases
	Pair     Pair
	Config   config.GlobalSource
	Outbox   outbox.Deliverer
	// AWS brings Organizations and Identity Center in line with the rows.
	AWS *Reconciler
	Now func() time.Time
}

// Service handles lifecycle events.
type Service struct{ d Deps }

// New returns the service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// Handle applies one event. A nil error means the recorded state and AWS
// agree with what the event implies (possibly because an earlier delivery
// did the work); an error means the event should be delivered again.
func (s *Service) Handle(ctx context.Context, ev events.Event) error {
	var err error
	switch e := ev.(type) {
	case events.LeaseApproved:
		err = s.settle(ctx, e.LeaseID, e.AccountID)
	case events.LeaseTerminated:
		err = s.settle(ctx, e.LeaseID, e.AccountID)
	case events.LeaseFrozen:
		err = s.settle(ctx, e.LeaseID, e.AccountID)
	case events.LeaseUnfrozen:
		err = s.settle(ctx, e.LeaseID, e.AccountID)
	case events.LeaseFreezingThresholdAlert:
		err = s.freeze(ctx, e)
	case events.LeaseBudgetExceeded:
		err = s.end(ctx, e.LeaseID, e.AccountID, lease.BudgetExceeded, func(l lease.Lease) events.TerminationReason {
			return events.TerminatedBudgetExceeded(l.MaxSpend, e.TotalSpend)
		})
	case events.LeaseExpired:
		err = s.end(ctx, e.LeaseID, e.AccountID, lease.Expired, func(l lease.Lease) events.TerminationReason {
			return events.TerminatedExpired(lease.WholeHoursOf(l.LeaseDurationInHours))
		})
	case events.CleanAccountRequest:
		err = s.reconcile(ctx, e.AccountID)
	case events.AccountCleanupSucceeded:
		err = s.cleanupSucceeded(ctx, e)
	case events.AccountCleanupFailed:
		err = s.cleanupFailed(ctx, e)
	case events.AccountDriftDetected:
		err = s.drift(ctx, e)
	default:
		slog.InfoContext(ctx, "event ignored: not a lifecycle event", "detail_type", ev.DetailType())
		return nil
	}
	if err != nil {
		return fmt.Errorf("handle %s for account %s: %w", ev.DetailType(), events.AccountOf(ev), err)
	}
	return nil
}

// settle brings the account held by a lease in line with the lease's
// recorded status: Active lease, Active account; Frozen lease, Frozen
// account; ended lease, account to cleanup (or quarantine). It then
// reconciles AWS. Events of every lease type come here, so their order
// does not matter: the outcome depends on the rows alone.
func (s *Service) settle(ctx context.Context, k lease.Key, accountID string) error {
	l, err := s.d.Leases.Get(ctx, k)
	if err != nil && !errors.Is(err, fault.NotFound) {
		return err
	}
	if err == nil {
		// Sessions first: nothing handed to the lease outlives it,
		// whatever fails after.
		if err := s.d.AWS.EndSessions(ctx, l); err != nil {
			return err
		}
		a, err := s.d.Accounts.Get(ctx, accountID)
		switch {
		case errors.Is(err, fault.NotFound):
			// No row (ejected, forgotten): reconcile revokes any access.
		case err != nil:
			return err
		default:
			if err := s.follow(ctx, l, a); err != nil {
				return err
			}
		}
	}
	return s.reconcile(ctx, accountID)
}

// follow moves the account row to the status the lease's status implies,
// if the account is still the lease's.
func (s *Service) follow(ctx context.Context, l lease.Lease, a account.Account) error {
	if !holds(a, l.Key) {
		return nil
	}
	now := s.d.Now()
	var to account.Status
	var evs []events.Event
	switch {
	case l.Status == lease.Active:
		to = account.Active
	case l.Status == lease.Frozen:
		to = account.Frozen
	case l.Status == lease.AccountQuarantined:
		to = account.Quarantine
	case l.Status == lease.Ejected:
		return nil // the eject route moves the account and deletes its row
	case l.Status.Terminal():
		to = account.CleanUp
		evs = append(evs, events.CleanAccountRequest{AccountID: a.ID, Reason: events.CleanupLeaseTermination})
	default:
		return nil
	}
	if a.Status == to {
		return nil
	}
	next, err := a.Move(to, now)
	if err != nil {
		return err
	}
	if err := s.saveAccount(ctx, a, next, evs...); err != nil {
		return err
	}
	slog.InfoContext(ctx, "account follows its lease", "lease_id", l.Key.ID(), "account_id", a.ID,
		"lease_status", l.Status, "state_from", a.Status, "state_to", to)
	return nil
}

// end terminates a monitored lease with status (BudgetExceeded, Expired)
// and, in the same transaction, sends its account to cleanup.
func (s *Service) end(
	ctx context.Context,
	k lease.Key,
	accountID string,
	status lease.Status,
	reason func(lease.Lease) events.TerminationReason,
) error {
	l, err := s.d.Leases.Get(ctx, k)
	if done, err := s.unlessGone(ctx, accountID, err); done {
		return err
	}
	if !l.Status.Monitored() {
		// Already ended (or never started): only make sure the account
		// followed.
		return s.settle(ctx, k, accountID)
	}
	next, err := s.endLease(ctx, l, status)
	if err != nil {
		return err
	}
	ended := events.LeaseTerminated{LeaseID: l.Key, AccountID: l.AccountID, Reason: reason(l)}
	if err := s.saveWithAccount(ctx, l, next, account.CleanUp, ended,
		events.CleanAccountRequest{AccountID: l.AccountID, Reason: events.CleanupLeaseTermination}); err != nil {
		return err
	}
	// A failure here is retried with the event, which finds the lease ended
	// and settles it (EndSessions again).
	if err := s.d.AWS.EndSessions(ctx, next); err != nil {
		return err
	}
	return s.reconcile(ctx, accountID)
}

// freeze freezes an Active lease on a freezing threshold and its account
// with it. A lease that is no longer Active is left alone (upstream threw).
func (s *Service) freeze(ctx context.Context, e events.LeaseFreezingThresholdAlert) error {
	l, err := s.d.Leases.Get(ctx, e.LeaseID)
	if done, err := s.unlessGone(ctx, e.AccountID, err); done {
		return err
	}
	if l.Status != lease.Active {
		return s.settle(ctx, e.LeaseID, e.AccountID)
	}
	next, err := l.Transition(lease.Frozen, s.d.Now())
	if err != nil {
		return err
	}
	frozen := events.LeaseFrozen{LeaseID: l.Key, AccountID: l.AccountID, Reason: e.Reason}
	if err := s.saveWithAccount(ctx, l, next, account.Frozen, frozen); err != nil {
		return err
	}
	// A frozen lease keeps its account but not its sessions.
	if err := s.d.AWS.EndSessions(ctx, next); err != nil {
		return err
	}
	return s.reconcile(ctx, e.AccountID)
}

// saveWithAccount writes the lease change next and, when the lease's
// account row still names the lease, the account's move to accountTo, in
// one transaction. accountEvents are announced only with the account move;
// leaseEvent always.
func (s *Service) saveWithAccount(
	ctx context.Context,
	read, next lease.Lease,
	accountTo account.Status,
	leaseEvent events.Event,
	accountEvents ...events.Event,
) error {
	now := s.d.Now()
	log := slog.With(
		"lease_id",
		read.Key.ID(),
		"account_id",
		read.AccountID,
		"state_from",
		read.Status,
		"state_to",
		next.Status,
	)
	a, err := s.d.Accounts.Get(ctx, read.AccountID)
	if err != nil && !errors.Is(err, fault.NotFound) {
		return err
	}
	if err == nil && holds(a, read.Key) && a.Status != accountTo {
		moved, err := a.Move(accountTo, now)
		if err != nil {
			return err
		}
		if err := outbox.Commit(ctx, s.d.Outbox, now, func(recs []events.Record) (_ []events.Record, err error) {
			_, _, err = s.d.Pair.SaveLeaseAndAccount(ctx, read, next, a, moved, recs...)
			return nil, err
		}, append([]events.Event{leaseEvent}, accountEvents...)...); err != nil {
			return err
		}
		log.InfoContext(ctx, "lease and account changed together", "account_to", accountTo)
		return nil
	}
	if err := s.saveLease(ctx, read, next, leaseEvent); err != nil {
		return err
	}
	log.InfoContext(ctx, "lease changed")
	return nil
}

// cleanupSucceeded makes a cleaned account Available, if the success is
// the one of the cleanup run recorded on the account.
func (s *Service) cleanupSucceeded(ctx context.Context, e events.AccountCleanupSucceeded) error {
	a, err := s.d.Accounts.Get(ctx, e.AccountID)
	if done, err := s.unlessGone(ctx, e.AccountID, err); done {
		return err
	}
	if a.Status == account.CleanUp && runOf(a, e.CleanupExecutionContext) {
		now := s.d.Now()
		next, err := a.Move(account.Available, now)
		if err != nil {
			return err
		}
		if err := s.saveAccount(ctx, a, next); err != nil {
			return err
		}
		slog.InfoContext(ctx, "account cleaned and available", "account_id", a.ID,
			"cleanup_seconds", now.Sub(e.CleanupExecutionContext.StateMachineExecutionStartTime).Seconds())
	} else {
		slog.InfoContext(ctx, "cleanup success already applied or not the account's current run",
			"account_id", a.ID, "status", a.Status)
	}
	return s.reconcile(ctx, a.ID)
}

// cleanupFailed asks for another cleanup, or quarantines the account once
// cleanup.maxConsecutiveCleanupFailures runs in a row have failed. Only the
// failure of the run recorded on the account counts, once: asking again
// clears the record in the same write as the request.
func (s *Service) cleanupFailed(ctx context.Context, e events.AccountCleanupFailed) error {
	a, err := s.d.Accounts.Get(ctx, e.AccountID)
	if done, err := s.unlessGone(ctx, e.AccountID, err); done {
		return err
	}
	if a.Status != account.CleanUp || !runOf(a, e.CleanupExecutionContext) {
		slog.InfoContext(ctx, "cleanup failure already handled or not the account's current run",
			"account_id", a.ID, "status", a.Status)
		return s.reconcile(ctx, a.ID)
	}
	g, err := s.d.Config.Global(ctx)
	if err != nil {
		return err
	}
	if e.ConsecutiveFailures >= g.Cleanup.MaxConsecutiveCleanupFailures {
		reason := fmt.Sprintf("Cleanup Failed: %d consecutive failures", e.ConsecutiveFailures)
		if e.ErrorMessage != "" {
			reason += ": " + e.ErrorMessage
		}
		return s.quarantine(ctx, a, reason)
	}
	next := a
	next.Cleanup = nil
	next.CleanupFailures = max(a.CleanupFailures, e.ConsecutiveFailures)
	if err := s.saveAccount(ctx, a, next, events.CleanAccountRequest{AccountID: a.ID,
		Reason: events.CleanupRetryFailed}); err != nil {
		return err
	}
	slog.InfoContext(
		ctx,
		"cleanup failed; asked for another run",
		"account_id",
		a.ID,
		"consecutive_failures",
		e.ConsecutiveFailures,
	)
	return s.reconcile(ctx, a.ID)
}

// quarantine moves an account to Quarantine and ends the lease holding it
// (AccountQuarantined), in one transaction, announcing AccountQuarantined
// and LeaseTerminated.
func (s *Service) quarantine(ctx context.Context, a account.Account, reason string) error {
	if a.Status == account.Quarantine {
		return s.reconcile(ctx, a.ID)
	}
	now := s.d.Now()
	quarantined := events.AccountQuarantined{AccountID: a.ID, Reason: reason}
	l, ended, held, err := s.endHeldLease(ctx, a, lease.AccountQuarantined)
	if err != nil {
		return err
	}
	if held {
		terminated := events.LeaseTerminated{LeaseID: l.Key, AccountID: a.ID,
			Reason: events.TerminatedWithComment(events.TerminationAccountQuarantined, reason)}
		if err := s.saveWithAccount(ctx, l, ended, account.Quarantine, terminated, quarantined); err != nil {
			return err
		}
		// The lease has ended; the account moved with it unless it was
		// no longer the lease's. Either way, start again from the rows.
		if a, err = s.d.Accounts.Get(ctx, a.ID); err != nil {
			return err
		}
		return s.quarantine(ctx, a, reason)
	}
	next, err := a.Move(account.Quarantine, now)
	if err != nil {
		return err
	}
	if err := s.saveAccount(ctx, a, next, quarantined); err != nil {
		return err
	}
	slog.InfoContext(ctx, "account quarantined", "account_id", a.ID, "state_from", a.Status, "reason", reason)
	return s.reconcile(ctx, a.ID)
}

// drift handles an account found outside the OU its status names. The
// report may be stale, so the account's OU is read again first: an account
// back where it belongs is left alone; one in another pool OU is
// quarantined; one that left every pool OU, or sits in Exit, loses its
// row (its lease ends as Ejected).
func (s *Service) drift(ctx context.Context, e events.AccountDriftDetected) error {
	where, err := s.d.AWS.Where(ctx, e.AccountID)
	if err != nil {
		return err
	}
	a, err := s.d.Accounts.Get(ctx, e.AccountID)
	if errors.Is(err, fault.NotFound) {
		if !where.InPool() || !account.CanCreate(where.OU, account.Quarantine) {
			// Outside the pool, waiting in Entry or ejected to Exit: no
			// row to record, but no lessee keeps access either.
			return s.reconcile(ctx, e.AccountID)
		}
		// Untracked, yet inside the pool: record it in quarantine.
		now := s.d.Now()
		reason := fmt.Sprintf("Drift Detected: untracked account in the %s OU", where.OU)
		row, err := account.New(e.AccountID, where.OU, account.Quarantine, now)
		if err != nil {
			return err
		}
		row.DriftAtLastScan = true
		if err := outbox.Commit(ctx, s.d.Outbox, now, func(recs []events.Record) (_ []events.Record, err error) {
			_, err = s.d.Accounts.Create(ctx, row, recs...)
			return nil, err
		}, events.AccountQuarantined{AccountID: e.AccountID, Reason: reason}); err != nil {
			return err
		}
		slog.InfoContext(ctx, "untracked account recorded in quarantine", "account_id", e.AccountID, "ou", where.OU)
		return s.reconcile(ctx, e.AccountID)
	}
	if err != nil {
		return err
	}
	switch {
	case where.OU == a.Status:
		slog.InfoContext(
			ctx,
			"drift report is stale: the account is where its status says",
			"account_id",
			a.ID,
			"ou",
			where.OU,
		)
		return s.reconcile(ctx, a.ID)
	case where.OU == account.Entry && a.Status == account.CleanUp:
		// Registered, and not yet moved out of Entry: that move is ours.
		return s.reconcile(ctx, a.ID)
	case !where.InPool() || where.OU == account.Exit:
		// Out of the pool, or in Exit: an ejection that stopped before
		// deleting the row (quarantining it would leave it in Exit for ever).
		return s.forget(ctx, a)
	default:
		return s.quarantine(ctx, a, fmt.Sprintf("Drift Detected: expected OU %s, actual OU %s", a.Status, where.OU))
	}
}

// forget deletes the row of an account that left the pool, ending its
// lease first (Ejected) and revoking every user's access before the row
// goes. An account in CleanUp cannot leave directly; it passes through
// Quarantine, each step retried until the row is gone.
func (s *Service) forget(ctx context.Context, a account.Account) error {
	now := s.d.Now()
	l, ended, held, err := s.endHeldLease(ctx, a, lease.Ejected)
	if err != nil {
		return err
	}
	if held {
		if err := s.saveLease(ctx, l, ended, events.LeaseTerminated{LeaseID: l.Key, AccountID: a.ID,
			Reason: events.TerminatedWithComment(events.TerminationEjected,
				"the account left the pool's OUs")}); err != nil {
			return err
		}
	}
	if !account.CanMove(a.Status, account.Exit) {
		next, err := a.Move(account.Quarantine, now)
		if err != nil {
			return err
		}
		if err := outbox.Commit(ctx, s.d.Outbox, now, func(recs []events.Record) (_ []events.Record, err error) {
			a, err = s.d.Accounts.Save(ctx, a, next, recs...)
			return nil, err
		}); err != nil {
			return err
		}
	}
	// Revoke while the row still exists: if this fails, the row is still
	// there and the next delivery starts again from it.
	if err := s.d.AWS.Revoke(ctx, a.ID); err != nil {
		return err
	}
	if err := outbox.Commit(ctx, s.d.Outbox, now, func(recs []events.Record) ([]events.Record, error) {
		return nil, s.d.Accounts.Delete(ctx, a, recs...)
	}); err != nil {
		return err
	}
	slog.InfoContext(ctx, "account left the pool; its row is deleted", "account_id", a.ID, "status", a.Status)
	return nil
}

// heldLease returns the lease that still holds the account (Active,
// Frozen or Provisioning), if any.
// endHeldLease ends, with status, the lease holding a (see heldLease and
// endLease): l as read and next as ended, when held.
func (s *Service) endHeldLease(ctx context.Context, a account.Account, status lease.Status,
) (l, next lease.Lease, held bool, err error) {
	l, held, err = s.heldLease(ctx, a)
	if err != nil || !held {
		return l, l, held, err
	}
	next, err = s.endLease(ctx, l, status)
	return l, next, held, err
}

func (s *Service) heldLease(ctx context.Context, a account.Account) (lease.Lease, bool, error) {
	if a.Lease == nil {
		return lease.Lease{}, false, nil
	}
	l, err := s.d.Leases.Get(ctx, *a.Lease)
	switch {
	case errors.Is(err, fault.NotFound):
		return lease.Lease{}, false, nil
	case err != nil:
		return lease.Lease{}, false, err
	}
	return l, l.Status.HoldsAccount(), nil
}

// endLease returns l moved to the terminal status, with the TTL the global
// configuration gives ended leases.
func (s *Service) endLease(ctx context.Context, l lease.Lease, status lease.Status) (lease.Lease, error) {
	g, err := s.d.Config.Global(ctx)
	if err != nil {
		return l, err
	}
	return l.End(status, s.d.Now(), g.Leases.LeaseTTL())
}

// Reconcile brings AWS in line with the account's row: the account moves
// to the OU its status names, and the lessee's access follows the lease
// holding it. The drift monitor calls it to finish a transition of ours
// that stopped half-way (the row written, the OU not yet moved). Only the
// Accounts, Leases and AWS dependencies are used.
func (s *Service) Reconcile(ctx context.Context, accountID string) error {
	if err := s.reconcile(ctx, accountID); err != nil {
		return fmt.Errorf("reconcile account %s: %w", accountID, err)
	}
	return nil
}

// reconcile brings AWS in line with the account's row. An account with no
// row (ejected, forgotten, never registered) keeps no user assignment:
// whatever event names it, a late or repeated one included, its lessee's
// access is removed.
func (s *Service) reconcile(ctx context.Context, accountID string) error {
	a, err := s.d.Accounts.Get(ctx, accountID)
	switch {
	case errors.Is(err, fault.NotFound):
		if !account.ValidID(accountID) {
			return nil
		}
		return s.d.AWS.Revoke(ctx, accountID)
	case err != nil:
		return err
	}
	var holder *lease.Lease
	if a.Lease != nil {
		l, err := s.d.Leases.Get(ctx, *a.Lease)
		if err != nil && !errors.Is(err, fault.NotFound) {
			return err
		}
		if err == nil {
			holder = &l
		}
	}
	return s.d.AWS.Reconcile(ctx, a, holder)
}

// unlessGone settles a failed read of the row an event names: when the row
// is gone only AWS is left to bring in line with the account's records;
// another error is returned. done is false after a successful read.
func (s *Service) unlessGone(ctx context.Context, accountID string, err error) (done bool, _ error) {
	switch {
	case errors.Is(err, fault.NotFound):
		return true, s.reconcile(ctx, accountID)
	case err != nil:
		return true, err
	}
	return false, nil
}

// saveAccount commits the account change with the events announcing it
// (outbox.Commit).
func (s *Service) saveAccount(ctx context.Context, read, next account.Account, evs ...events.Event) error {
	return outbox.Commit(ctx, s.d.Outbox, s.d.Now(), func(recs []events.Record) (_ []events.Record, err error) {
		_, err = s.d.Accounts.Save(ctx, read, next, recs...)
		return nil, err
	}, evs...)
}

// saveLease is saveAccount for a lease.
func (s *Service) saveLease(ctx context.Context, read, next lease.Lease, evs ...events.Event) error {
	return outbox.Commit(ctx, s.d.Outbox, s.d.Now(), func(recs []events.Record) (_ []events.Record, err error) {
		_, err = s.d.Leases.Save(ctx, read, next, recs...)
		return nil, err
	}, evs...)
}

// holds reports whether the account row names lease k as its holder.
func holds(a account.Account, k lease.Key) bool {
	return a.Lease != nil && *a.Lease == k && (a.Status == account.Active || a.Status == account.Frozen)
}

// runOf reports whether c is the cleanup run recorded on the account.
func runOf(a account.Account, c events.ExecutionContext) bool {
	return a.Cleanup != nil && a.Cleanup.ExecutionARN == c.StateMachineExecutionArn
}
