package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/lease"
)

// Organizations is what the reconciler asks of the management account
// (orgs.Chain).
type Organizations interface {
	Parent(ctx context.Context, accountID string) (string, error)
	Move(ctx context.Context, accountID, from, to string) error
}

// IdentityCenter is the user assignments of the user permission set, in
// the IDC account (idc.Chain through the read-write hop).
type IdentityCenter interface {
	// UserID finds the user with the email ("" when none).
	UserID(ctx context.Context, email string) (string, error)
	// UserAssignments lists the users assigned on the account.
	UserAssignments(ctx context.Context, accountID string) ([]string, error)
	Assign(ctx context.Context, accountID, userID string) error
	// Unassign succeeds when the assignment is already gone.
	Unassign(ctx context.Context, accountID, userID string) error
}

// PoolConfig gives the pool configuration (the OU ids).
type PoolConfig interface {
	Get(ctx context.Context) (config.AccountPoolParam, error)
}

// Clients is what the reconciler is handed: the pool configuration, the
// management account's Organizations and Identity Center, each reached
// through the hub's role chain (lifecycle/chain builds them).
type Clients struct {
	Pool PoolConfig
	Org  Organizations
	IDC  IdentityCenter
	// Sessions, when set, revokes the lessee role's sessions of a lease
	// that is no longer Active.
	Sessions Sessions
}

// Sessions ends the lessee role's sessions in a pool account
// (lessee/iamrevoke): every session issued before cutoff stops working.
// It must be idempotent and never move the cutoff back.
type Sessions interface {
	RevokeBefore(ctx context.Context, accountID string, cutoff time.Time) error
}

// Reconciler brings AWS in line with an account's row. It only reads
// until it finds a difference, and changes only what differs, so running
// it again after a success does nothing.
type Reconciler struct{ c Clients }

// NewReconciler returns a reconciler over the clients.
func NewReconciler(c Clients) *Reconciler { return &Reconciler{c: c} }

// Location is the OU an account sits in.
type Location struct {
	// ParentID is the account's parent (an OU or the root).
	ParentID string
	// OU is the pool OU of ParentID, or "" when it is none of them.
	OU account.OU
}

// InPool reports whether the account sits in one of the pool's OUs.
func (l Location) InPool() bool { return l.OU != "" }

// PoolOUIDs maps each of the seven pool OUs to its id in p.
func PoolOUIDs(p config.AccountPoolParam) map[account.OU]string { return ouIDs(p) }

// ouIDs maps each pool OU to its id.
func ouIDs(p config.AccountPoolParam) map[account.OU]string {
	return map[account.OU]string{
		account.Available: p.AvailableOuID, account.Active: p.ActiveOuID, account.CleanUp: p.CleanUpOuID,
		account.Quarantine: p.QuarantineOuID, account.Frozen: p.FrozenOuID,
		account.Entry: p.EntryOuID, account.Exit: p.ExitOuID,
	}
}

// Where reads the OU an account sits in.
func (r *Reconciler) Where(ctx context.Context, accountID string) (Location, error) {
	p, err := r.c.Pool.Get(ctx)
	if err != nil {
		return Location{}, err
	}
	return r.where(ctx, p, accountID)
}

func (r *Reconciler) where(ctx context.Context, p config.AccountPoolParam, accountID string) (Location, error) {
	parent, err := r.c.Org.Parent(ctx, accountID)
	if err != nil {
		return Location{}, err
	}
	loc := Location{ParentID: parent}
	for ou, id := range ouIDs(p) {
		if id != "" && id == loc.ParentID {
			loc.OU = ou
		}
	}
	return loc, nil
}

// Reconcile moves the account to the OU its status names and makes the
// lessee's assignment exist exactly while holder (the lease the row names,
// nil when none or not found) is Active.
func (r *Reconciler) Reconcile(ctx context.Context, a account.Account, holder *lease.Lease) error {
	if err := r.placeAccount(ctx, a); err != nil {
		return err
	}
	want := ""
	if a.Status == account.Active && holder != nil && holder.Status == lease.Active {
		want = holder.UserEmail
	}
	var leaseID string
	if holder != nil {
		leaseID = holder.Key.ID()
	}
	return r.settleAccess(ctx, a.ID, want, leaseID)
}

// EndSessions revokes the lessee role's sessions of a lease that held an
// account and is no longer Active (ended, frozen, quarantined): every one
// issued before it stopped being Active stops working. It is idempotent
// and a late event never weakens a later lease's revocation (Sessions
// only moves the cutoff forward).
func (r *Reconciler) EndSessions(ctx context.Context, l lease.Lease) error {
	if r.c.Sessions == nil || l.Status == lease.Active || l.AccountID == "" {
		return nil
	}
	if err := r.c.Sessions.RevokeBefore(ctx, l.AccountID, sessionCutoff(l)); err != nil {
		return err
	}
	slog.InfoContext(ctx, "lessee sessions revoked", "lease_id", l.Key.ID(), "account_id", l.AccountID,
		"lease_status", l.Status)
	return nil
}

// sessionCutoff is when a lease stopped being Active: its end, or (frozen
// or quarantined) its last change. Sessions issued before are revoked; a
// frozen lease gets no new one until it is Active again.
func sessionCutoff(l lease.Lease) time.Time {
	if !l.EndDate.IsZero() {
		return l.EndDate
	}
	return l.UpdatedAt
}

// Revoke removes every user assignment of the user permission set on the
// account: no one keeps access to an account that has no row (ejected,
// forgotten) or is about to lose it. Group assignments are not touched.
func (r *Reconciler) Revoke(ctx context.Context, accountID string) error {
	return r.settleAccess(ctx, accountID, "", "")
}

// placeAccount moves the account into the OU of its status, one move of
// the account move table at a time (a registered account whose cleanup
// ended before it left Entry passes through CleanUp). It moves only from
// another pool OU (never from Exit, nor from outside the pool: those are
// an eject in progress or drift, which is reported, not undone).
func (r *Reconciler) placeAccount(ctx context.Context, a account.Account) error {
	p, err := r.c.Pool.Get(ctx)
	if err != nil {
		return err
	}
	loc, err := r.where(ctx, p, a.ID)
	if err != nil {
		return err
	}
	ids := ouIDs(p)
	if ids[a.Status] == "" {
		return fmt.Errorf("the pool configuration has no OU id for %s", a.Status)
	}
	if loc.ParentID == ids[a.Status] {
		return nil
	}
	log := slog.With("account_id", a.ID, "state_from", loc.OU, "state_to", a.Status)
	if !loc.InPool() || loc.OU == account.Exit {
		log.WarnContext(ctx, "account is outside the pool's OUs; not moved", "parent_id", loc.ParentID)
		return nil
	}
	path, err := account.Path(loc.OU, a.Status)
	if err != nil {
		return fmt.Errorf("place account %s: %w", a.ID, err)
	}
	from := loc.OU
	for _, to := range path {
		if ids[to] == "" {
			return fmt.Errorf("the pool configuration has no OU id for %s", to)
		}
		if err := r.c.Org.Move(ctx, a.ID, ids[from], ids[to]); err != nil {
			return fmt.Errorf("move account %s from %s to %s: %w", a.ID, from, to, err)
		}
		from = to
	}
	log.InfoContext(ctx, "account moved to the OU of its status", "moves", len(path))
	return nil
}

// settleAccess keeps exactly one user assignment of the user permission
// set on the account: the lessee's (the Identity Center user with email
// lessee) when lessee is set, none otherwise. Group assignments (admins,
// managers) are not touched.
func (r *Reconciler) settleAccess(ctx context.Context, accountID, lessee, leaseID string) error {
	log := slog.With("account_id", accountID)
	if leaseID != "" {
		log = log.With("lease_id", leaseID)
	}
	wantUser := ""
	if lessee != "" {
		id, err := r.c.IDC.UserID(ctx, lessee)
		if err != nil {
			return err
		}
		if id == "" {
			log.WarnContext(ctx, "lessee has no Identity Center user; no access granted", "lessee", lessee)
		}
		wantUser = id
	}
	users, err := r.c.IDC.UserAssignments(ctx, accountID)
	if err != nil {
		return err
	}
	have := false
	for _, principal := range users {
		if principal == wantUser && !have {
			have = true
			continue
		}
		if err := r.c.IDC.Unassign(ctx, accountID, principal); err != nil {
			return err
		}
		log.InfoContext(ctx, "access revoked", "principal_id", principal)
	}
	if wantUser == "" || have {
		return nil
	}
	if err := r.c.IDC.Assign(ctx, accountID, wantUser); err != nil {
		return err
	}
	log.InfoContext(ctx, "access granted", "principal_id", wantUser)
	return nil
}
