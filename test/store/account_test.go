package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/common/template"
)

func TestAccountStore(t *testing.T) {
	ctx := context.Background()
	accounts := newStore(t).Accounts()
	reg := account.Account{
		ID:        accountID(1),
		Email:     "pool1@example.com",
		Name:      "pool-1",
		Status:    account.CleanUp,
		CreatedAt: t0,
	}
	created, err := accounts.Create(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("registering an account twice is a conflict", func(t *testing.T) {
		if _, err := accounts.Create(ctx, reg); !errors.Is(err, fault.Conflict) {
			t.Fatalf("duplicate Create: %v", err)
		}
	})
	t.Run("a row is never created in a status the creation table does not allow", func(t *testing.T) {
		for _, st := range []account.Status{account.Available, account.Active, account.Frozen} {
			_, err := accounts.Create(ctx, account.Account{ID: accountID(3), Status: st})
			if !errors.Is(err, fault.Conflict) || !strings.Contains(err.Error(), string(st)) {
				t.Errorf("Create in %s: %v; want a conflict naming it", st, err)
			}
		}
		if _, err := accounts.Get(ctx, accountID(3)); !errors.Is(err, fault.NotFound) {
			t.Fatalf("a refused creation wrote a row: %v", err)
		}
	})
	t.Run("a cleanup success moves the account to Available on its version", func(t *testing.T) {
		next, err := created.Move(account.Available, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		saved, err := accounts.Save(ctx, created, next)
		if err != nil || saved.Version != 2 {
			t.Fatalf("Save = v%d, %v", saved.Version, err)
		}
		got, _ := accounts.Get(ctx, reg.ID)
		if got.Status != account.Available || !got.LastCleanedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("stored %s cleaned %v", got.Status, got.LastCleanedAt)
		}
	})
	t.Run("a second writer holding the old version loses", func(t *testing.T) {
		next, _ := created.Move(account.Quarantine, t0.Add(2*time.Hour))
		if _, err := accounts.Save(ctx, created, next); !errors.Is(err, fault.Conflict) {
			t.Fatalf("stale Save: %v", err)
		}
		if got, _ := accounts.Get(ctx, reg.ID); got.Status != account.Available {
			t.Fatalf("the stale write changed the status to %s", got.Status)
		}
	})
	t.Run("a move the table forbids is refused before writing", func(t *testing.T) {
		cur, _ := accounts.Get(ctx, reg.ID)
		bad := cur
		bad.Status = account.Frozen // Available → Frozen is not a move
		if _, err := accounts.Save(ctx, cur, bad); !errors.Is(err, fault.Conflict) {
			t.Fatalf("Save Available→Frozen: %v", err)
		}
	})
	t.Run("deleting on a stale version is a conflict; on the current one it removes the row", func(t *testing.T) {
		if err := accounts.Delete(ctx, created); !errors.Is(err, fault.Conflict) {
			t.Fatalf("stale Delete: %v", err)
		}
		cur, _ := accounts.Get(ctx, reg.ID)
		if err := accounts.Delete(ctx, cur); err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.Get(ctx, reg.ID); !errors.Is(err, fault.NotFound) {
			t.Fatalf("Get after Delete: %v", err)
		}
	})
	t.Run("an account in CleanUp cannot be ejected", func(t *testing.T) {
		c, err := accounts.Create(ctx, account.Account{ID: accountID(2), Status: account.CleanUp})
		if err != nil {
			t.Fatal(err)
		}
		if err := accounts.Delete(ctx, c); !errors.Is(err, fault.Conflict) {
			t.Fatalf("Delete from CleanUp: %v", err)
		}
	})
}

func TestAccountStatusIndex(t *testing.T) {
	ctx := context.Background()
	accounts := newStore(t).Accounts()
	pool := availableAccounts(7, t0)
	for i := range pool {
		pool[i].StatusChangedAt = t0.Add(time.Duration(i) * time.Minute)
	}
	pool = append(pool, account.Account{ID: accountID(50), Status: account.Quarantine, StatusChangedAt: t0})
	if err := accounts.Import(ctx, pool); err != nil {
		t.Fatal(err)
	}

	t.Run("pages of three return the seven available accounts in status-change order", func(t *testing.T) {
		var ids []string
		token := ""
		for {
			page, next, err := accounts.ListByStatus(
				ctx,
				page.StatusQuery{Status: string(account.Available)},
				page.Page{Size: 3, Token: token},
			)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page {
				ids = append(ids, a.ID)
			}
			if next == "" {
				break
			}
			token = next
		}
		if len(ids) != 7 {
			t.Fatalf("got %d accounts: %v", len(ids), ids)
		}
		for i, id := range ids {
			if id != accountID(i) {
				t.Fatalf("position %d holds %s, want %s", i, id, accountID(i))
			}
		}
	})
	t.Run("quarantined accounts are found without a scan", func(t *testing.T) {
		q, _, err := accounts.ListByStatus(
			ctx,
			page.StatusQuery{Status: string(account.Quarantine)},
			page.Page{},
		)
		if err != nil || len(q) != 1 || q[0].ID != accountID(50) {
			t.Fatalf("quarantined = %v, %v", q, err)
		}
	})
	t.Run("a page token from the Available listing is refused for Quarantine", func(t *testing.T) {
		_, next, _ := accounts.ListByStatus(
			ctx,
			page.StatusQuery{Status: string(account.Available)},
			page.Page{Size: 3},
		)
		_, _, err := accounts.ListByStatus(
			ctx,
			page.StatusQuery{Status: string(account.Quarantine)},
			page.Page{Token: next},
		)
		if !errors.Is(err, ddbstore.ErrBadPageToken) {
			t.Fatalf("replayed token: %v", err)
		}
	})
}

func TestTemplateStore(t *testing.T) {
	ctx := context.Background()
	templates := newStore(t).Templates()
	var first template.Template
	for i := range 10 {
		vis := template.Public
		if i%2 == 1 {
			vis = template.Private
		}
		tpl, err := templates.Create(
			ctx,
			template.Template{UUID: uuid.NewString(), Name: "t", Visibility: vis, CreatedBy: "mgr@example.com"},
		)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = tpl
		}
	}

	t.Run("a user's pages hold only public templates and are full", func(t *testing.T) {
		var sizes []int
		token, total := "", 0
		for {
			page, next, err := templates.List(ctx, false, page.Page{Size: 2, Token: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, tpl := range page {
				if tpl.Visibility != template.Public {
					t.Fatalf("a user saw private template %s", tpl.UUID)
				}
			}
			sizes = append(sizes, len(page))
			total += len(page)
			if next == "" {
				break
			}
			token = next
		}
		if total != 5 {
			t.Fatalf("user saw %d templates in pages %v, want 5", total, sizes)
		}
		for _, s := range sizes[:len(sizes)-1] {
			if s != 2 {
				t.Fatalf("short page before the last: %v", sizes)
			}
		}
	})
	t.Run("managers see all ten", func(t *testing.T) {
		all, next, err := templates.List(ctx, true, page.Page{Size: 20})
		if err != nil || len(all) != 10 || next != "" {
			t.Fatalf("manager saw %d (next %q), %v", len(all), next, err)
		}
	})
	t.Run("an update on a stale version is a conflict", func(t *testing.T) {
		next := first
		next.Name = "renamed"
		saved, err := templates.Save(ctx, first, next)
		if err != nil {
			t.Fatal(err)
		}
		stale := first
		stale.Name = "lost"
		if _, err := templates.Save(ctx, first, stale); !errors.Is(err, fault.Conflict) {
			t.Fatalf("stale Save: %v", err)
		}
		if err := templates.Delete(ctx, first); !errors.Is(err, fault.Conflict) {
			t.Fatalf("stale Delete: %v", err)
		}
		if err := templates.Delete(ctx, saved); err != nil {
			t.Fatal(err)
		}
		if _, err := templates.Get(ctx, first.UUID); !errors.Is(err, fault.NotFound) {
			t.Fatalf("Get after Delete: %v", err)
		}
	})
}
