package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/page"
)

func TestGrant(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	now := t0.Add(48 * time.Hour)
	// Accounts 0-1 were cleaned two days ago, 2-3 ten minutes ago.
	pool := append(availableAccounts(2, t0), availableAccounts(4, now.Add(-10*time.Minute))[2:]...)
	if err := s.Accounts().Import(ctx, pool); err != nil {
		t.Fatal(err)
	}
	request := func(t *testing.T, email string) lease.Lease {
		t.Helper()
		l, err := s.Leases().Create(ctx, pendingLease(email), 0)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}

	granted := map[string]bool{}
	t.Run("a grant moves one account and the lease to Active together", func(t *testing.T) {
		l := request(t, "a@example.com")
		g, err := s.Grant(
			ctx,
			account.GrantRequest{Lease: l, ApprovedBy: lease.AutoApproved, Now: now, Cooldown: 24 * time.Hour},
		)
		if err != nil {
			t.Fatal(err)
		}
		granted[g.Account.ID] = true
		storedLease, _ := s.Leases().Get(ctx, l.Key)
		storedAcct, _ := s.Accounts().Get(ctx, g.Account.ID)
		if storedLease.Status != lease.Active || storedLease.AccountID != g.Account.ID ||
			storedLease.ApprovedBy != lease.AutoApproved {
			t.Fatalf("lease = %s on %q by %q", storedLease.Status, storedLease.AccountID, storedLease.ApprovedBy)
		}
		if storedLease.ExpirationDate == nil || !storedLease.ExpirationDate.Equal(now.Add(8*time.Hour)) {
			t.Fatalf("expiration = %v", storedLease.ExpirationDate)
		}
		if storedAcct.Status != account.Active || storedAcct.Lease == nil || *storedAcct.Lease != l.Key {
			t.Fatalf("account = %s held by %v", storedAcct.Status, storedAcct.Lease)
		}
	})
	t.Run("accounts past the cooldown are granted before fresh ones", func(t *testing.T) {
		g, err := s.Grant(
			ctx,
			account.GrantRequest{
				Lease:      request(t, "b@example.com"),
				Now:        now,
				ApprovedBy: "mgr@example.com",
				Cooldown:   24 * time.Hour,
			},
		)
		if err != nil {
			t.Fatal(err)
		}
		granted[g.Account.ID] = true
		if !granted[accountID(0)] || !granted[accountID(1)] {
			t.Fatalf("the first two grants took %v, want the two cooled-down accounts", granted)
		}
	})
	t.Run("fresh accounts are used when no cooled-down account is left", func(t *testing.T) {
		for _, email := range []string{"c@example.com", "d@example.com"} {
			g, err := s.Grant(
				ctx,
				account.GrantRequest{
					Lease:      request(t, email),
					Now:        now,
					ApprovedBy: lease.AutoApproved,
					Cooldown:   24 * time.Hour,
				},
			)
			if err != nil {
				t.Fatal(err)
			}
			granted[g.Account.ID] = true
		}
		if len(granted) != 4 {
			t.Fatalf("granted %v", granted)
		}
	})
	t.Run("an empty pool is a PoolEmpty error and leaves the lease pending", func(t *testing.T) {
		l := request(t, "e@example.com")
		_, err := s.Grant(ctx, account.GrantRequest{Lease: l, Now: now, ApprovedBy: lease.AutoApproved})
		if !errors.Is(err, fault.PoolEmpty) {
			t.Fatalf("Grant on an empty pool: %v", err)
		}
		if got, _ := s.Leases().Get(ctx, l.Key); got.Status != lease.PendingApproval || got.Version != 1 {
			t.Fatalf("lease after a failed grant: %s v%d", got.Status, got.Version)
		}
	})
	t.Run("a lease that changed since it was read is a lease conflict and no account moves", func(t *testing.T) {
		if err := s.Accounts().Import(ctx, availableAccounts(6, t0)[5:]); err != nil {
			t.Fatal(err)
		}
		l := request(t, "f@example.com")
		denied, _ := l.Transition(lease.ApprovalDenied, now)
		if _, err := s.Leases().Save(ctx, l, denied); err != nil {
			t.Fatal(err)
		}
		_, err := s.Grant(ctx, account.GrantRequest{Lease: l, Now: now, ApprovedBy: lease.AutoApproved})
		var ce *fault.ConflictError
		if !errors.As(err, &ce) || ce.Entity != "lease" {
			t.Fatalf("Grant on a changed lease: %v", err)
		}
		if a, _ := s.Accounts().Get(ctx, accountID(5)); a.Status != account.Available || a.Version != 1 {
			t.Fatalf("the spare account moved: %s v%d", a.Status, a.Version)
		}
	})
	t.Run("a lease that is not pending cannot be granted", func(t *testing.T) {
		l := pendingLease("g@example.com")
		l.Status = lease.Active
		if _, err := s.Grant(ctx, account.GrantRequest{Lease: l, Now: now}); !errors.Is(err, fault.Conflict) {
			t.Fatalf("Grant on an active lease: %v", err)
		}
	})
}

func TestConcurrentGrantsNeverShareAnAccount(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.Accounts().Import(ctx, availableAccounts(10, t0)); err != nil {
		t.Fatal(err)
	}
	const callers = 50
	pending := make([]lease.Lease, callers)
	for i := range pending {
		l, err := s.Leases().Create(ctx, pendingLease(fmt.Sprintf("ci-%02d@example.com", i)), 0)
		if err != nil {
			t.Fatal(err)
		}
		pending[i] = l
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	holder := map[string]lease.Key{}
	empty := 0
	start := make(chan struct{})
	for _, l := range pending {
		wg.Go(func() {
			<-start
			g, err := s.Grant(
				ctx,
				account.GrantRequest{
					Lease:      l,
					Now:        t0.Add(72 * time.Hour),
					ApprovedBy: lease.AutoApproved,
					Cooldown:   time.Hour,
				},
			)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				if prev, taken := holder[g.Account.ID]; taken {
					t.Errorf("account %s granted to %s and %s", g.Account.ID, prev, l.Key)
				}
				holder[g.Account.ID] = l.Key
			case errors.Is(err, fault.PoolEmpty):
				empty++
			default:
				t.Errorf("Grant for %s: %v", l.Key, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if len(holder) != 10 || empty != callers-10 {
		t.Fatalf("%d grants and %d empty-pool errors; want 10 and %d", len(holder), empty, callers-10)
	}
	// The table agrees: every account Active, held by the lease that won it.
	for id, key := range holder {
		a, err := s.Accounts().Get(ctx, id)
		if err != nil || a.Status != account.Active || a.Lease == nil || *a.Lease != key {
			t.Fatalf("account %s = %+v, %v", id, a, err)
		}
		l, err := s.Leases().Get(ctx, key)
		if err != nil || l.Status != lease.Active || l.AccountID != id {
			t.Fatalf("lease %s = %s on %q, %v", key, l.Status, l.AccountID, err)
		}
	}
	active, _, err := s.Leases().
		ListByStatus(ctx, page.StatusQuery{Status: string(lease.Active)}, page.Page{Size: 100})
	if err != nil || len(active) != 10 {
		t.Fatalf("%d active leases in the index, %v", len(active), err)
	}
}
