// Package pool holds the rules for the sandbox accounts an admin manages
// through the API: listing them, registering an account from the Entry OU,
// listing the accounts still waiting there, retrying a failed cleanup and
// ejecting an account from the pool.
//
// Registration checks with AWS Organizations, read-only and through the
// hub's role chain (the OrgMgt hop role, then the management account's
// OrgMgt role), that the account really sits in the Entry OU; it then
// records the account in CleanUp and announces CleanAccountRequest in the
// same transaction. Moving it out of Entry is the lifecycle manager's.
// Ejection is the one change the API makes in Organizations itself (moving
// the account to the Exit OU), because no event asks anyone else to.
package pool

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
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/page"
)

// Accounts is the account store: the lifecycle manager's, listed too.
type Accounts interface {
	lifecycle.Accounts
	List(ctx context.Context, p page.Page) ([]account.Account, string, error)
}

// Leases reads and ends the lease holding an ejected account (the
// lifecycle manager's lease store).
type Leases = lifecycle.Leases

// Organizations is what the pool asks of the management account
// (orgs.Chain): an unknown account is fault.NotFound, a refused page token
// fault.Invalid.
type Organizations interface {
	Describe(ctx context.Context, accountID string) (account.Member, error)
	Parent(ctx context.Context, accountID string) (string, error)
	AccountsPage(ctx context.Context, parentID string, size int32, token string) ([]account.Member, string, error)
	Move(ctx context.Context, accountID, from, to string) error
}

// PoolConfig gives the pool's shared configuration (OU ids, management
// account).
type PoolConfig interface {
	Get(ctx context.Context) (config.AccountPoolParam, error)
}

// Access removes every lessee's access to an account
// (lifecycle.Reconciler.Revoke, through the hub's role chain to IAM
// Identity Center).
type Access interface {
	Revoke(ctx context.Context, accountID string) error
}

// PageTokens seals the Organizations page token the client holds
// (ddbstore.PageCodec), so no client value reaches Organizations.
type PageTokens interface {
	Seal(scope, token string) (string, error)
	Open(scope, token string) (string, error)
}

// Deps are the service's collaborators.
type Deps struct {
	Accounts Accounts
	Leases   Leases
	Pool     PoolConfig
	Org      Organizations
	Outbox   outbox.Deliverer
	Config   config.GlobalSource
	// Access revokes the lessee's access before an ejected account's row
	// is deleted.
	Access Access
	Pages  PageTokens
	// HubAccountID and IdcAccountID may never join the pool (nor the
	// management account, from the pool configuration).
	HubAccountID, IdcAccountID string
	Now                        func() time.Time
}

// Service applies the account rules.
type Service struct{ d Deps }

// New returns the service.
func New(d Deps) *Service { return &Service{d: d} }

// MaxUnregisteredPage is the largest page of Entry OU accounts (as
// upstream; Organizations pages at most 20).
const MaxUnregisteredPage = 20

// List returns one page of registered accounts.
func (s *Service) List(ctx context.Context, p page.Page) ([]account.Account, string, error) {
	return s.d.Accounts.List(ctx, p)
}

// Get reads one account.
func (s *Service) Get(ctx context.Context, id string) (account.Account, error) {
	if !account.ValidID(id) {
		return account.Account{}, &fault.NotFoundError{Entity: "account", Key: id}
	}
	return s.d.Accounts.Get(ctx, id)
}

// Unregistered is an account waiting in the Entry OU.
type Unregistered struct {
	ID    string `json:"Id"`
	Email string `json:"Email"`
	Name  string `json:"Name"`
}

// Unregistered lists one page of the Entry OU. Organizations' page token
// travels sealed (bound to the Entry OU), like every other listing's.
func (s *Service) Unregistered(ctx context.Context, p page.Page) ([]Unregistered, string, error) {
	pc, org, err := s.org(ctx)
	if err != nil {
		return nil, "", err
	}
	scope := "organizations/entry-ou/" + pc.EntryOuID
	token, err := s.d.Pages.Open(scope, p.Token)
	if err != nil {
		return nil, "", badPageToken()
	}
	accounts, token, err := org.AccountsPage(ctx, pc.EntryOuID, min(max(p.Size, 1), MaxUnregisteredPage), token)
	if errors.Is(err, fault.Invalid) {
		return nil, "", badPageToken()
	}
	if err != nil {
		return nil, "", fmt.Errorf("list the Entry OU: %w", err)
	}
	list := make([]Unregistered, 0, len(accounts))
	for _, a := range accounts {
		list = append(list, Unregistered{ID: a.ID, Email: a.Email, Name: a.Name})
	}
	next, err := s.d.Pages.Seal(scope, token)
	if err != nil {
		return nil, "", err
	}
	return list, next, nil
}

func badPageToken() error {
	var f fault.Fields
	f.Add("pageIdentifier", "is not a token this listing issued")
	return f.Err()
}

// Register records an account from the Entry OU in CleanUp and asks for
// its first cleanup. The account must not be a protected one and must be in
// the Entry OU now.
func (s *Service) Register(ctx context.Context, r account.Registration) (account.Account, error) {
	pc, err := s.d.Pool.Get(ctx)
	if err != nil {
		return account.Account{}, err
	}
	if err := r.Validate(account.Protected{ManagementAccountID: pc.OrgMgtAccountID, IDCAccountID: s.d.IdcAccountID,
		HubAccountID: s.d.HubAccountID}); err != nil {
		return account.Account{}, err
	}
	_, org, err := s.org(ctx)
	if err != nil {
		return account.Account{}, err
	}
	desc, err := org.Describe(ctx, r.AccountID)
	if err != nil {
		return account.Account{}, err
	}
	parent, err := org.Parent(ctx, r.AccountID)
	if err != nil {
		return account.Account{}, err
	}
	if parent != pc.EntryOuID {
		return account.Account{}, &fault.ConflictError{Entity: "account", Key: r.AccountID,
			Reason: "it is not in the Entry OU; move it there first"}
	}
	now := s.d.Now()
	a, err := account.New(r.AccountID, account.Entry, account.CleanUp, now)
	if err != nil {
		return account.Account{}, err
	}
	a.Email, a.Name = r.Email, r.Name
	if a.Email == "" {
		a.Email = desc.Email
	}
	if a.Name == "" {
		a.Name = truncate(desc.Name, account.MaxNameLength)
	}
	var created account.Account
	err = outbox.Commit(ctx, s.d.Outbox, now, func(recs []events.Record) (_ []events.Record, err error) {
		created, err = s.d.Accounts.Create(ctx, a, recs...)
		return nil, err
	}, events.CleanAccountRequest{AccountID: a.ID, Reason: events.CleanupAccountRegistration})
	if err != nil {
		return account.Account{}, err
	}
	slog.InfoContext(ctx, "account registered", "account_id", a.ID)
	return created, nil
}

// RetryCleanup sends a quarantined account (or one stuck in CleanUp) to
// cleanup again.
func (s *Service) RetryCleanup(ctx context.Context, id string) (account.Account, error) {
	read, err := s.Get(ctx, id)
	if err != nil {
		return account.Account{}, err
	}
	next := read
	switch read.Status {
	case account.Quarantine:
		if next, err = read.Move(account.CleanUp, s.d.Now()); err != nil {
			return account.Account{}, err
		}
	case account.CleanUp:
	default:
		return account.Account{}, &fault.ConflictError{Entity: "account", Key: id,
			Reason: fmt.Sprintf(
				"only a Quarantine or CleanUp account can be cleaned again; this one is %s",
				read.Status,
			)}
	}
	var saved account.Account
	err = outbox.Commit(ctx, s.d.Outbox, s.d.Now(), func(recs []events.Record) (_ []events.Record, err error) {
		saved, err = s.d.Accounts.Save(ctx, read, next, recs...)
		return nil, err
	}, events.CleanAccountRequest{AccountID: id, Reason: events.CleanupRetryFailed})
	if err != nil {
		return account.Account{}, err
	}
	slog.InfoContext(ctx, "account cleanup retried", "account_id", id, "state_from", read.Status)
	return saved, nil
}

// Eject takes an account out of the pool, as it is (no cleanup): the lease
// holding it ends as Ejected, every user's access to it is revoked, the
// account moves to the Exit OU and its record is deleted. Access goes
// before the row: once the row is gone nothing names the account any
// more. Each step is safe to repeat, so a failed ejection is completed by
// asking again.
func (s *Service) Eject(ctx context.Context, id string) error {
	read, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if read.Status == account.CleanUp {
		return &fault.ConflictError{
			Entity: "account",
			Key:    id,
			Reason: "it is being cleaned; eject it after the cleanup",
		}
	}
	if !account.CanMove(read.Status, account.Exit) {
		return &fault.ConflictError{
			Entity: "account",
			Key:    id,
			Reason: fmt.Sprintf("cannot go from %s to %s (leave the pool)", read.Status, account.Exit),
		}
	}
	log := slog.With("account_id", id)
	if read.Lease != nil {
		if err := s.endLease(ctx, *read.Lease, id); err != nil {
			return err
		}
	}
	if err := s.d.Access.Revoke(ctx, id); err != nil {
		return fmt.Errorf("revoke access to account %s: %w", id, err)
	}
	log.InfoContext(ctx, "account access revoked before ejection")
	pc, org, err := s.org(ctx)
	if err != nil {
		return err
	}
	parent, err := org.Parent(ctx, id)
	if err != nil {
		return err
	}
	if parent != pc.ExitOuID {
		// The move out is the table's, from the OU the account really
		// sits in (which may lag its row).
		if from := ouOf(pc, parent); from != "" && !account.CanMove(from, account.Exit) {
			return &fault.ConflictError{Entity: "account", Key: id,
				Reason: fmt.Sprintf("cannot go from the %s OU to %s", from, account.Exit)}
		}
		if err := org.Move(ctx, id, parent, pc.ExitOuID); err != nil {
			return fmt.Errorf("move account %s to the Exit OU: %w", id, err)
		}
	}
	if err := outbox.Commit(ctx, s.d.Outbox, s.d.Now(), func(recs []events.Record) ([]events.Record, error) {
		return nil, s.d.Accounts.Delete(ctx, read, recs...)
	}); err != nil {
		return err
	}
	log.InfoContext(ctx, "account ejected", "state_from", read.Status)
	return nil
}

func (s *Service) endLease(ctx context.Context, k lease.Key, accountID string) error {
	l, err := s.d.Leases.Get(ctx, k)
	if errors.Is(err, fault.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !l.Status.HoldsAccount() {
		return nil
	}
	now := s.d.Now()
	g, err := s.d.Config.Global(ctx)
	if err != nil {
		return err
	}
	next, err := l.End(lease.Ejected, now, g.Leases.LeaseTTL())
	if err != nil {
		return err
	}
	return outbox.Commit(ctx, s.d.Outbox, now, func(recs []events.Record) (_ []events.Record, err error) {
		_, err = s.d.Leases.Save(ctx, l, next, recs...)
		return nil, err
	}, events.LeaseTerminated{LeaseID: k, AccountID: accountID,
		Reason: events.TerminatedWithComment(events.TerminationEjected, "account ejected from the pool")})
}

func (s *Service) org(ctx context.Context) (config.AccountPoolParam, Organizations, error) {
	pc, err := s.d.Pool.Get(ctx)
	if err != nil {
		return pc, nil, err
	}
	return pc, s.d.Org, nil
}

// ouOf names the pool OU with id parent ("" when it is none of them).
func ouOf(pc config.AccountPoolParam, parent string) account.OU {
	for ou, ouID := range lifecycle.PoolOUIDs(pc) {
		if ouID != "" && ouID == parent {
			return ou
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
