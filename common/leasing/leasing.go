// Package leasing holds the lease lifecycle's business rules as the API
// applies them: requesting a lease (auto-approved when its template needs
// no approval), listing and reading leases, and a manager's patch, review,
// freeze and unfreeze, and termination by a manager or the lessee.
//
// Every decision is one conditional write in DynamoDB, and the events that
// announce it are written to the outbox in the same transaction, then
// delivered to the bus. The side effects in AWS Organizations and IAM
// Identity Center (moving the account between pool OUs, granting and
// revoking SSO access, sending the account to cleanup) are the lifecycle
// manager's, which acts on those events; the API answers without waiting
// for them.
package leasing

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/email"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/common/template"
)

// Leases is the lease store.
type Leases interface {
	Create(ctx context.Context, l lease.Lease, maxPerUser int, recs ...events.Record) (lease.Lease, error)
	Get(ctx context.Context, k lease.Key) (lease.Lease, error)
	Save(ctx context.Context, read, next lease.Lease, recs ...events.Record) (lease.Lease, error)
	Beat(ctx context.Context, read, next lease.Lease) (lease.Lease, error)
	ListByUser(ctx context.Context, email string, p page.Page) ([]lease.Lease, string, error)
	List(ctx context.Context, p page.Page) ([]lease.Lease, string, error)
}

// Granter gives an available account to a lease in one transaction.
type Granter interface {
	Grant(ctx context.Context, r account.GrantRequest) (account.Granted, error)
}

// Templates reads lease templates.
type Templates interface {
	Get(ctx context.Context, id string) (template.Template, error)
}

// Service applies the lease rules.
type Service struct {
	leases    Leases
	granter   Granter
	templates Templates
	cfg       config.Source
	outbox    outbox.Deliverer
	now       func() time.Time
	newID     func() string
}

// Deps are the service's collaborators; Now and NewID are injected so
// tests control time and ids.
type Deps struct {
	Leases    Leases
	Granter   Granter
	Templates Templates
	Config    config.Source
	Outbox    outbox.Deliverer
	Now       func() time.Time
	NewID     func() string
}

// New returns the service.
func New(d Deps) *Service {
	return &Service{leases: d.Leases, granter: d.Granter, templates: d.Templates, cfg: d.Config,
		outbox: d.Outbox, now: d.Now, newID: d.NewID}
}

// Request asks for a lease on a template for the caller, or, for a manager
// or admin naming userEmail, for someone else.
//
// Approval is never bypassed: a user who names their own email makes an
// ordinary request (upstream treated it as an assignment and auto-approved
// it). Only the template decides: a template that needs no approval is
// granted at once, in the same transaction that creates the lease, so an
// empty pool writes nothing and answers fault.PoolEmpty; otherwise the
// lease waits in PendingApproval and LeaseRequested tells the managers.
// Either way the user's lease count is checked atomically
// (*fault.LimitError at leases.maxLeasesPerUser).
func (s *Service) Request(ctx context.Context, caller auth.Caller, r lease.Request) (lease.Lease, error) {
	if err := r.Validate(); err != nil {
		return lease.Lease{}, err
	}
	// caller.Email is canonical (the verifier refuses any other token);
	// the body's email is normalised here, so the comparison is exact.
	lessee := caller.Email
	if r.UserEmail != "" {
		named, err := normalEmailField("userEmail", r.UserEmail)
		if err != nil {
			return lease.Lease{}, err
		}
		if named != caller.Email && !caller.Privileged() {
			return lease.Lease{}, &fault.ForbiddenError{
				Reason: "only managers and admins may request a lease for someone else",
			}
		}
		lessee = named
	}
	tpl, err := s.templates.Get(ctx, r.LeaseTemplateUUID)
	if err != nil {
		return lease.Lease{}, err
	}
	if !tpl.VisibleTo(caller.Privileged()) {
		return lease.Lease{}, &fault.NotFoundError{Entity: "lease template", Key: r.LeaseTemplateUUID}
	}
	g, rep, err := s.config(ctx)
	if err != nil {
		return lease.Lease{}, err
	}
	if err := tpl.Terms.Validate(g, rep); err != nil {
		return lease.Lease{}, fmt.Errorf("lease template %s no longer meets the global limits: %w", tpl.UUID, err)
	}
	max, limit := g.Leases.MaxLeasesPerUser, "maxLeasesPerUser"
	if m, ok := g.MachineIdentity(caller.Principal); ok && caller.Principal != "" {
		// A CI identity has its own limit (a pipeline runs more jobs at
		// once than a person).
		max, limit = m.LeaseLimit(g.Leases), "auth.machineIdentities.maxLeases"
	}
	if max == 0 {
		// The documented meaning of 0: no new requests at all. (The store
		// reads a limit of 0 as "unchecked", so it is decided here.)
		return lease.Lease{}, &fault.LimitError{Limit: limit, Value: 0}
	}
	timeout, err := tpl.Heartbeat.Timeout(r.HeartbeatTimeoutMinutes)
	if err != nil {
		return lease.Lease{}, err
	}
	now := s.now()
	pending := lease.Lease{
		Key:    lease.Key{UserEmail: lessee, UUID: s.newID()},
		Status: lease.PendingApproval, Terms: tpl.Terms,
		OriginalTemplateUUID: tpl.UUID, OriginalTemplateName: tpl.Name,
		Comments: r.Comments, CreatedBy: caller.Email,
		CreatedAt: now, StatusChangedAt: now, HeartbeatTimeoutMinutes: timeout,
	}
	pending = pending.ArmHeartbeat(now)
	log := slog.With("lease_id", pending.Key.ID(), "lessee", lessee, "template", tpl.UUID)
	if !tpl.RequiresApproval {
		granted, err := s.grant(ctx, account.GrantRequest{
			Lease: pending, ApprovedBy: lease.AutoApproved, Now: now,
			Cooldown: g.Leases.AccountReuseCooldown(), New: true, MaxPerUser: max,
		})
		if err != nil {
			log.InfoContext(ctx, "lease request refused", "error", err)
			return lease.Lease{}, err
		}
		log.InfoContext(ctx, "lease auto-approved", "account_id", granted.Account.ID, "attempts", granted.Attempts)
		return granted.Lease, nil
	}
	var created lease.Lease
	err = outbox.Commit(ctx, s.outbox, now, func(recs []events.Record) (_ []events.Record, err error) {
		created, err = s.leases.Create(ctx, pending, max, recs...)
		return nil, err
	}, events.LeaseRequested{LeaseID: pending.Key, Comments: r.Comments, RequiresManualApproval: true})
	if err != nil {
		return lease.Lease{}, err
	}
	log.InfoContext(ctx, "lease requested, waiting for approval")
	return created, nil
}

// grant commits r, a grant announced by LeaseApproved (naming the account
// picked), through the outbox.
func (s *Service) grant(ctx context.Context, r account.GrantRequest) (account.Granted, error) {
	var granted account.Granted
	err := outbox.Commit(ctx, s.outbox, r.Now, func([]events.Record) (own []events.Record, err error) {
		// Each attempt announces the account it tries; the grant commits
		// the last one's records.
		r.Announce = func(l lease.Lease, a account.Account) ([]events.Record, error) {
			var err error
			own, err = events.Records(
				r.Now,
				events.LeaseApproved{LeaseID: l.Key, AccountID: a.ID, ApprovedBy: r.ApprovedBy},
			)
			return own, err
		}
		granted, err = s.granter.Grant(ctx, r)
		return own, err
	})
	return granted, err
}

// List returns one page of leases. Users see their own; managers and admins
// see everyone's, or one user's when userEmail is given.
func (s *Service) List(
	ctx context.Context,
	caller auth.Caller,
	userEmail string,
	p page.Page,
) ([]lease.Lease, string, error) {
	if userEmail != "" {
		var err error
		if userEmail, err = normalEmailField("userEmail", userEmail); err != nil {
			return nil, "", err
		}
	}
	if !caller.Privileged() {
		if userEmail != "" && userEmail != caller.Email {
			return nil, "", &fault.ForbiddenError{Reason: "users may list only their own leases"}
		}
		userEmail = caller.Email
	}
	if userEmail != "" {
		return s.leases.ListByUser(ctx, userEmail, p)
	}
	return s.leases.List(ctx, p)
}

// Get reads one lease; users may read only their own.
func (s *Service) Get(ctx context.Context, caller auth.Caller, k lease.Key) (lease.Lease, error) {
	if err := ownerOrManager(caller, k); err != nil {
		return lease.Lease{}, err
	}
	return s.leases.Get(ctx, k)
}

// Patch changes a running lease's terms (managers and admins), checked
// against the global limits and cost report groups.
func (s *Service) Patch(ctx context.Context, caller auth.Caller, k lease.Key, p lease.Patch) (lease.Lease, error) {
	if err := managerOnly(caller); err != nil {
		return lease.Lease{}, err
	}
	read, err := s.leases.Get(ctx, k)
	if err != nil {
		return lease.Lease{}, err
	}
	g, rep, err := s.config(ctx)
	if err != nil {
		return lease.Lease{}, err
	}
	next, err := read.Apply(p, g, rep)
	if err != nil {
		return lease.Lease{}, err
	}
	saved, err := s.save(ctx, read, next, s.now())
	if err != nil {
		return lease.Lease{}, err
	}
	slog.InfoContext(ctx, "lease patched", "lease_id", k.ID(), "by", caller.Email)
	return saved, nil
}

// Review approves or denies a pending lease (managers and admins), never
// the reviewer's own request while leases.fourEyesReview is on. An
// approval grants an account atomically; with the pool empty the lease
// stays pending and the answer is fault.PoolEmpty, so the manager can
// approve again later.
func (s *Service) Review(ctx context.Context, caller auth.Caller, k lease.Key, approve bool) (lease.Lease, error) {
	if err := managerOnly(caller); err != nil {
		return lease.Lease{}, err
	}
	read, err := s.leases.Get(ctx, k)
	if err != nil {
		return lease.Lease{}, err
	}
	if read.Status != lease.PendingApproval {
		return lease.Lease{}, &fault.ConflictError{Entity: "lease", Key: k.String(),
			Reason: fmt.Sprintf("only a PendingApproval lease can be reviewed; this one is %s", read.Status)}
	}
	g, err := s.cfg.Global(ctx)
	if err != nil {
		return lease.Lease{}, err
	}
	if g.Leases.FourEyesReview && (read.UserEmail == caller.Email || read.CreatedBy == caller.Email) {
		return lease.Lease{}, &fault.ForbiddenError{
			Reason: "you requested this lease, so another manager or an admin must review it (leases.fourEyesReview)",
		}
	}
	now := s.now()
	approver := caller.Email
	log := slog.With("lease_id", k.ID(), "by", approver)
	if approve {
		granted, err := s.grant(ctx, account.GrantRequest{
			Lease: read, ApprovedBy: approver, Now: now, Cooldown: g.Leases.AccountReuseCooldown(),
		})
		if err != nil {
			return lease.Lease{}, err
		}
		log.InfoContext(ctx, "lease approved", "account_id", granted.Account.ID)
		return granted.Lease, nil
	}
	next, err := read.End(lease.ApprovalDenied, now, g.Leases.LeaseTTL())
	if err != nil {
		return lease.Lease{}, err
	}
	next.ApprovedBy = approver
	saved, err := s.save(ctx, read, next, now, events.LeaseDenied{LeaseID: k, DeniedBy: approver})
	if err != nil {
		return lease.Lease{}, err
	}
	log.InfoContext(ctx, "lease denied")
	return saved, nil
}

// Freeze freezes an active lease (managers and admins): the lifecycle
// manager revokes access and moves the account to the Frozen OU.
func (s *Service) Freeze(ctx context.Context, caller auth.Caller, k lease.Key) (lease.Lease, error) {
	if err := managerOnly(caller); err != nil {
		return lease.Lease{}, err
	}
	return s.transition(ctx, k, lease.Frozen, func(l lease.Lease) events.Event {
		return events.LeaseFrozen{
			LeaseID:   l.Key,
			AccountID: l.AccountID,
			Reason:    events.FrozenManually("frozen by " + caller.Email),
		}
	})
}

// Unfreeze makes a frozen lease active again (managers and admins).
func (s *Service) Unfreeze(ctx context.Context, caller auth.Caller, k lease.Key) (lease.Lease, error) {
	if err := managerOnly(caller); err != nil {
		return lease.Lease{}, err
	}
	return s.transition(ctx, k, lease.Active, func(l lease.Lease) events.Event {
		return events.LeaseUnfrozen{LeaseID: l.Key, AccountID: l.AccountID, MaxBudget: l.MaxSpend,
			LeaseDurationInHours: lease.WholeHoursOf(l.LeaseDurationInHours), Reason: "unfrozen by " + caller.Email}
	}, lease.Frozen)
}

// Terminate ends a lease. The lessee may end their own (a pipeline releases
// what it leased), managers and admins anyone's. A pending request is
// withdrawn; a lease holding an account is announced with LeaseTerminated,
// on which the lifecycle manager revokes access and sends the account to
// cleanup.
func (s *Service) Terminate(ctx context.Context, caller auth.Caller, k lease.Key) (lease.Lease, error) {
	if err := ownerOrManager(caller, k); err != nil {
		return lease.Lease{}, err
	}
	by := caller.Email
	return s.transition(ctx, k, lease.ManuallyTerminated, func(l lease.Lease) events.Event {
		if l.AccountID == "" {
			return nil
		}
		return events.LeaseTerminated{LeaseID: l.Key, AccountID: l.AccountID,
			Reason: events.TerminatedWithComment(events.TerminationManual, "terminated by "+by)}
	})
}

// Heartbeat records that the lessee's holder is alive: the lease's
// heartbeat deadline moves to now plus its timeout. Only the lessee beats,
// managers and admins included: a beat is the holder's liveness signal,
// and nobody else can vouch for it. A lease without a heartbeat is a
// field error, an ended one a conflict naming its status.
func (s *Service) Heartbeat(ctx context.Context, caller auth.Caller, k lease.Key) (lease.Lease, error) {
	if caller.Email != k.UserEmail {
		return lease.Lease{}, &fault.ForbiddenError{Reason: "only the lessee may send a lease's heartbeat"}
	}
	read, err := s.leases.Get(ctx, k)
	if err != nil {
		return lease.Lease{}, err
	}
	next, err := read.Beat(s.now())
	if err != nil {
		return lease.Lease{}, err
	}
	saved, err := s.leases.Beat(ctx, read, next)
	if err != nil {
		return lease.Lease{}, err
	}
	slog.DebugContext(ctx, "lease heartbeat", "lease_id", k.ID(), "account_id", saved.AccountID,
		"deadline", saved.HeartbeatDeadline)
	return saved, nil
}

// EndSilent ends a lease whose holder missed its heartbeat deadline, as
// the reaper asks, through the same conditional save as any termination:
// the lease is re-read, and one that beat meanwhile (or ended) is left
// alone and reported false; a beat racing this write raises the version,
// so the save fails instead of ending a live lease. The lease ends
// Expired (ManuallyTerminated from a status the table lets end only so),
// announced by LeaseTerminated with reason HeartbeatTimedOut when it holds
// an account, on which the lifecycle manager sends the account to cleanup.
func (s *Service) EndSilent(ctx context.Context, k lease.Key) (bool, error) {
	read, err := s.leases.Get(ctx, k)
	if err != nil {
		return false, err
	}
	now := s.now()
	if !read.Silent(now) {
		return false, nil
	}
	to := lease.Expired
	if !lease.CanTransition(read.Status, to) {
		to = lease.ManuallyTerminated
	}
	g, err := s.cfg.Global(ctx)
	if err != nil {
		return false, err
	}
	next, err := read.End(to, now, g.Leases.LeaseTTL())
	if err != nil {
		return false, err
	}
	var evs []events.Event
	if next.AccountID != "" {
		evs = append(evs, events.LeaseTerminated{LeaseID: k, AccountID: next.AccountID,
			Reason: events.TerminatedSilent(read.HeartbeatTimeoutMinutes)})
	}
	if _, err := s.save(ctx, read, next, now, evs...); err != nil {
		return false, err
	}
	slog.InfoContext(ctx, "silent lease ended", "lease_id", k.ID(), "account_id", read.AccountID,
		"state_from", read.Status, "state_to", to, "deadline", read.HeartbeatDeadline)
	return true, nil
}

// transition moves a lease to status through the transition table (a
// forbidden move is a fault.Conflict naming both statuses) and writes the
// event announce returns (nil: none) in the same transaction. from, when
// given, narrows the statuses the move is accepted from.
func (s *Service) transition(
	ctx context.Context,
	k lease.Key,
	to lease.Status,
	announce func(lease.Lease) events.Event,
	from ...lease.Status,
) (lease.Lease, error) {
	read, err := s.leases.Get(ctx, k)
	if err != nil {
		return lease.Lease{}, err
	}
	if len(from) > 0 && !containsStatus(from, read.Status) {
		return lease.Lease{}, &fault.ConflictError{Entity: "lease", Key: k.String(),
			Reason: fmt.Sprintf("cannot go from %s to %s", read.Status, to)}
	}
	now := s.now()
	var next lease.Lease
	if to.Terminal() {
		g, err := s.cfg.Global(ctx)
		if err != nil {
			return lease.Lease{}, err
		}
		next, err = read.End(to, now, g.Leases.LeaseTTL())
		if err != nil {
			return lease.Lease{}, err
		}
	} else if next, err = read.Transition(to, now); err != nil {
		return lease.Lease{}, err
	}
	var evs []events.Event
	if ev := announce(next); ev != nil {
		evs = append(evs, ev)
	}
	saved, err := s.save(ctx, read, next, now, evs...)
	if err != nil {
		return lease.Lease{}, err
	}
	slog.InfoContext(ctx, "lease status changed", "lease_id", k.ID(), "account_id", saved.AccountID,
		"state_from", read.Status, "state_to", saved.Status)
	return saved, nil
}

// save commits a lease change with the events announcing it, through the
// outbox.
func (s *Service) save(
	ctx context.Context,
	read, next lease.Lease,
	now time.Time,
	evs ...events.Event,
) (saved lease.Lease, err error) {
	err = outbox.Commit(ctx, s.outbox, now, func(recs []events.Record) (_ []events.Record, err error) {
		saved, err = s.leases.Save(ctx, read, next, recs...)
		return nil, err
	}, evs...)
	return saved, err
}

func (s *Service) config(ctx context.Context) (config.Global, config.Reporting, error) {
	g, err := s.cfg.Global(ctx)
	if err != nil {
		return g, config.Reporting{}, err
	}
	rep, err := s.cfg.Reporting(ctx)
	return g, rep, err
}

func ownerOrManager(caller auth.Caller, k lease.Key) error {
	if caller.Privileged() || caller.Email == k.UserEmail {
		return nil
	}
	return &fault.ForbiddenError{Reason: "users may act only on their own leases"}
}

func managerOnly(caller auth.Caller) error {
	if caller.Privileged() {
		return nil
	}
	return &fault.ForbiddenError{Reason: "only managers and admins may do this"}
}

func containsStatus(list []lease.Status, s lease.Status) bool {
	return slices.Contains(list, s)
}

// normalEmailField normalises an email that arrives in a request: the
// lessee's email is the lease table's partition key, so one person must
// have one spelling, and anything but lower-case ASCII is refused.
func normalEmailField(field, e string) (string, error) {
	n, err := email.Normalize(e)
	if err != nil {
		var f fault.Fields
		f.Add(field, "%s", err.Error())
		return "", f.Err()
	}
	return n, nil
}
