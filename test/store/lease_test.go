package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/page"
)

var ignoreStamps = cmpopts.IgnoreFields(lease.Lease{}, "UpdatedAt")

func TestLeaseCreateReadUpdate(t *testing.T) {
	ctx := context.Background()
	leases := newStore(t).Leases()
	l := pendingLease("dev@example.com")
	l.Comments = "for the EKS suite"
	l.BudgetThresholds = []lease.BudgetThreshold{{DollarsSpent: 10, Action: lease.ActionAlert}}

	created, err := leases.Create(ctx, l, 3)
	if err != nil {
		t.Fatal(err)
	}
	if created.Version != 1 {
		t.Fatalf("new lease at version %d", created.Version)
	}
	got, err := leases.Get(ctx, l.Key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created, got, ignoreStamps); diff != "" {
		t.Fatalf("read back differs (-created +read):\n%s", diff)
	}

	t.Run("an update on the version read succeeds and bumps the version", func(t *testing.T) {
		next := got
		next.Comments = "edited"
		saved, err := leases.Save(ctx, got, next)
		if err != nil || saved.Version != 2 {
			t.Fatalf("Save = v%d, %v", saved.Version, err)
		}
		again, _ := leases.Get(ctx, l.Key)
		if again.Comments != "edited" || again.Version != 2 {
			t.Fatalf("stored %q at v%d", again.Comments, again.Version)
		}
	})
	t.Run("an update on a stale version is a conflict and writes nothing", func(t *testing.T) {
		stale := got // still version 1
		stale.Comments = "lost update"
		_, err := leases.Save(ctx, got, stale)
		if !errors.Is(err, fault.Conflict) {
			t.Fatalf("Save on stale version: %v, want conflict", err)
		}
		again, _ := leases.Get(ctx, l.Key)
		if again.Comments != "edited" {
			t.Fatalf("a lost race overwrote the lease: %q", again.Comments)
		}
	})
	t.Run("a transition the table forbids is a conflict", func(t *testing.T) {
		cur, _ := leases.Get(ctx, l.Key)
		bad := cur
		bad.Status = lease.Frozen // PendingApproval → Frozen is not allowed
		if _, err := leases.Save(ctx, cur, bad); !errors.Is(err, fault.Conflict) {
			t.Fatalf("Save Pending→Frozen: %v, want conflict", err)
		}
	})
	t.Run("creating the same lease twice is a conflict", func(t *testing.T) {
		if _, err := leases.Create(ctx, l, 3); !errors.Is(err, fault.Conflict) {
			t.Fatalf("duplicate Create: %v", err)
		}
	})
	t.Run("a missing lease is not found", func(t *testing.T) {
		_, err := leases.Get(ctx, lease.Key{UserEmail: "dev@example.com", UUID: "nope"})
		if !errors.Is(err, fault.NotFound) {
			t.Fatalf("Get missing: %v", err)
		}
		ghost := pendingLease("ghost@example.com")
		ghost.Version = 1
		next := ghost
		next.Comments = "x"
		if _, err := leases.Save(ctx, ghost, next); !errors.Is(err, fault.NotFound) {
			t.Fatalf("Save missing: %v", err)
		}
	})
}

func TestPerUserLeaseLimit(t *testing.T) {
	ctx := context.Background()
	leases := newStore(t).Leases()

	t.Run("twenty concurrent requests under a limit of three create exactly three", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		created, limited := 0, 0
		for range 20 {
			wg.Go(func() {
				_, err := leases.Create(ctx, pendingLease("busy@example.com"), 3)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					created++
				case errors.Is(err, fault.LimitReached) || errors.Is(err, fault.Conflict):
					limited++
				default:
					t.Errorf("Create: %v", err)
				}
			})
		}
		wg.Wait()
		if created != 3 || limited != 17 {
			t.Fatalf("created %d, refused %d; want 3 and 17", created, limited)
		}
		if n, _ := leases.Count(ctx, "busy@example.com"); n != 3 {
			t.Fatalf("count = %d, want 3", n)
		}
	})
	t.Run("the limit error names the limit", func(t *testing.T) {
		_, err := leases.Create(ctx, pendingLease("busy@example.com"), 3)
		var le *fault.LimitError
		if !errors.As(err, &le) || le.Limit != "maxLeasesPerUser" || le.Value != 3 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ending a lease frees a slot", func(t *testing.T) {
		mine, _, err := leases.ListByUser(ctx, "busy@example.com", page.Page{})
		if err != nil || len(mine) != 3 {
			t.Fatalf("ListByUser = %d, %v", len(mine), err)
		}
		denied, err := mine[0].Transition(lease.ApprovalDenied, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leases.Save(ctx, mine[0], denied); err != nil {
			t.Fatal(err)
		}
		if _, err := leases.Create(ctx, pendingLease("busy@example.com"), 3); err != nil {
			t.Fatalf("Create after a denial: %v", err)
		}
		if _, err := leases.Create(ctx, pendingLease("busy@example.com"), 3); !errors.Is(err, fault.LimitReached) {
			t.Fatalf("Create over the limit: %v", err)
		}
	})
	t.Run("other users are not affected", func(t *testing.T) {
		if _, err := leases.Create(ctx, pendingLease("calm@example.com"), 3); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLeaseListingAndPagination(t *testing.T) {
	ctx := context.Background()
	leases := newStore(t).Leases()
	want := map[string]bool{}
	for i := range 5 {
		l := pendingLease("pager@example.com")
		l.CreatedAt = t0.Add(time.Duration(i) * time.Hour)
		if _, err := leases.Create(ctx, l, 0); err != nil {
			t.Fatal(err)
		}
		want[l.UUID] = true
	}
	other := pendingLease("other@example.com")
	other.CreatedAt = t0.Add(5 * time.Hour)
	if _, err := leases.Create(ctx, other, 0); err != nil {
		t.Fatal(err)
	}

	t.Run("pages of two walk a user's five leases exactly once", func(t *testing.T) {
		seen := map[string]bool{}
		token, pages := "", 0
		for {
			page, next, err := leases.ListByUser(ctx, "pager@example.com", page.Page{Size: 2, Token: token})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, l := range page {
				if seen[l.UUID] || !want[l.UUID] {
					t.Fatalf("lease %s returned twice or not the user's", l.UUID)
				}
				seen[l.UUID] = true
			}
			if next == "" {
				break
			}
			token = next
		}
		if len(seen) != 5 || pages < 3 {
			t.Fatalf("saw %d leases in %d pages", len(seen), pages)
		}
	})
	t.Run("a tampered page token is rejected", func(t *testing.T) {
		_, next, err := leases.ListByUser(ctx, "pager@example.com", page.Page{Size: 2})
		if err != nil || next == "" {
			t.Fatalf("first page: %q, %v", next, err)
		}
		b := []byte(next)
		b[5] ^= 1
		if _, _, err := leases.ListByUser(ctx, "pager@example.com", page.Page{Size: 2, Token: string(b)}); !errors.Is(
			err,
			ddbstore.ErrBadPageToken,
		) {
			t.Fatalf("tampered token: %v", err)
		}
		if _, _, err := leases.ListByUser(ctx, "other@example.com", page.Page{Size: 2, Token: next}); !errors.Is(
			err,
			ddbstore.ErrBadPageToken,
		) {
			t.Fatalf("token replayed on another user's listing: %v", err)
		}
	})
	t.Run("the status index returns pending leases older than a cutoff", func(t *testing.T) {
		old, _, err := leases.ListByStatus(ctx, page.StatusQuery{
			Status: string(lease.PendingApproval), ChangedBefore: t0.Add(150 * time.Minute),
		}, page.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(old) != 3 {
			t.Fatalf("got %d pending leases older than the cutoff, want 3", len(old))
		}
		all, _, err := leases.ListByStatus(
			ctx,
			page.StatusQuery{Status: string(lease.PendingApproval)},
			page.Page{},
		)
		if err != nil || len(all) != 6 {
			t.Fatalf("all pending = %d, %v", len(all), err)
		}
	})
	t.Run("listing every lease skips the per-user counters", func(t *testing.T) {
		all, next, err := leases.List(ctx, page.Page{Size: 4})
		if err != nil {
			t.Fatal(err)
		}
		rest, last, err := leases.List(ctx, page.Page{Size: 4, Token: next})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(all) + len(rest); got != 6 || last != "" {
			t.Fatalf("listed %d leases (next %q), want 6", got, last)
		}
	})
}
