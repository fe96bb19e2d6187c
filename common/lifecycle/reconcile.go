package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/lease"
)

// Organizations is the calls made in the management account.
type Organizations interface {
	ListParents(
		ctx context.Context,
		in *organizations.ListParentsInput,
		opts ...func(*organizations.Options),
	) (*organizations.ListParentsOutput, error)
	MoveAccount(
		ctx context.Context,
		in *organizations.MoveAccountInput,
		opts ...func(*organizations.Options),
	) (*organizations.MoveAccountOutput, error)
}

// IdentityStore finds a lessee's Identity Center user.
type IdentityStore interface {
	GetUserId(
		ctx context.Context,
		in *identitystore.GetUserIdInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.GetUserIdOutput, error)
}

// SSOAdmin reads and changes account assignments.
type SSOAdmin interface {
	ListAccountAssignments(
		ctx context.Context,
		in *ssoadmin.ListAccountAssignmentsInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.ListAccountAssignmentsOutput, error)
	CreateAccountAssignment(
		ctx context.Context,
		in *ssoadmin.CreateAccountAssignmentInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.CreateAccountAssignmentOutput, error)
	DeleteAccountAssignment(
		ctx context.Context,
		in *ssoadmin.DeleteAccountAssignmentInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.DeleteAccountAssignmentOutput, error)
}

// Clients gives the clients for the management and IAM Identity Center
// accounts, reached through the hub's role chain, and the pool and IDC
// configuration documents.
type Clients interface {
	Pool(ctx context.Context) (config.AccountPoolParam, error)
	Idc(ctx context.Context) (config.IdcParam, error)
	Org(ctx context.Context, p config.AccountPoolParam) (Organizations, error)
	Identity(ctx context.Context, p config.IdcParam) (IdentityStore, SSOAdmin, error)
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
	p, err := r.c.Pool(ctx)
	if err != nil {
		return Location{}, err
	}
	org, err := r.c.Org(ctx, p)
	if err != nil {
		return Location{}, err
	}
	return where(ctx, org, p, accountID)
}

func where(ctx context.Context, org Organizations, p config.AccountPoolParam, accountID string) (Location, error) {
	out, err := org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(accountID)})
	if err != nil {
		return Location{}, fmt.Errorf("find the OU of account %s: %w", accountID, err)
	}
	if len(out.Parents) == 0 {
		return Location{}, fmt.Errorf("find the OU of account %s: Organizations lists no parent", accountID)
	}
	loc := Location{ParentID: aws.ToString(out.Parents[0].Id)}
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
	p, err := r.c.Pool(ctx)
	if err != nil {
		return err
	}
	org, err := r.c.Org(ctx, p)
	if err != nil {
		return err
	}
	loc, err := where(ctx, org, p, a.ID)
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
		if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(a.ID),
			SourceParentId: aws.String(ids[from]), DestinationParentId: aws.String(ids[to])}); err != nil {
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
	p, err := r.c.Idc(ctx)
	if err != nil {
		return err
	}
	ids, sso, err := r.c.Identity(ctx, p)
	if err != nil {
		return err
	}
	log := slog.With("account_id", accountID)
	if leaseID != "" {
		log = log.With("lease_id", leaseID)
	}
	wantUser := ""
	if lessee != "" {
		id, err := userID(ctx, ids, p.IdentityStoreID, lessee)
		if err != nil {
			return err
		}
		if id == "" {
			log.WarnContext(ctx, "lessee has no Identity Center user; no access granted", "lessee", lessee)
		}
		wantUser = id
	}
	have := false
	var next *string
	for {
		out, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{
			InstanceArn: aws.String(p.SsoInstanceArn), AccountId: aws.String(accountID),
			PermissionSetArn: aws.String(p.UserPermissionSetArn), NextToken: next,
		})
		if err != nil {
			return fmt.Errorf("list assignments on account %s: %w", accountID, err)
		}
		for _, as := range out.AccountAssignments {
			if as.PrincipalType != ssotypes.PrincipalTypeUser {
				continue
			}
			principal := aws.ToString(as.PrincipalId)
			if principal == wantUser && !have {
				have = true
				continue
			}
			if _, err := sso.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
				InstanceArn: aws.String(p.SsoInstanceArn), PermissionSetArn: aws.String(p.UserPermissionSetArn),
				PrincipalId: as.PrincipalId, PrincipalType: ssotypes.PrincipalTypeUser,
				TargetId: aws.String(accountID), TargetType: ssotypes.TargetTypeAwsAccount,
			}); err != nil && !notFound(err) {
				return fmt.Errorf("revoke user %s on account %s: %w", principal, accountID, err)
			}
			log.InfoContext(ctx, "access revoked", "principal_id", principal)
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if wantUser == "" || have {
		return nil
	}
	if _, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(p.SsoInstanceArn), PermissionSetArn: aws.String(p.UserPermissionSetArn),
		PrincipalId: aws.String(wantUser), PrincipalType: ssotypes.PrincipalTypeUser,
		TargetId: aws.String(accountID), TargetType: ssotypes.TargetTypeAwsAccount,
	}); err != nil {
		return fmt.Errorf("grant user %s on account %s: %w", wantUser, accountID, err)
	}
	log.InfoContext(ctx, "access granted", "principal_id", wantUser)
	return nil
}

// userID finds the Identity Center user with the email ("" when none).
func userID(ctx context.Context, ids IdentityStore, storeID, email string) (string, error) {
	out, err := ids.GetUserId(ctx, &identitystore.GetUserIdInput{
		IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
			AttributePath: aws.String("emails.value"), AttributeValue: document.NewLazyDocument(email),
		}},
	})
	var nf *istypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the Identity Center user %s: %w", email, err)
	}
	return aws.ToString(out.UserId), nil
}

func notFound(err error) bool {
	var nf *ssotypes.ResourceNotFoundException
	return errors.As(err, &nf)
}
