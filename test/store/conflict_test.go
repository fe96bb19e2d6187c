package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

// conflictStores resets the emulator, imports n Available accounts and
// returns two stores over the same tables: one whose transactions DynamoDB
// answers with TransactionConflict as f says, and a plain one to check the
// rows with.
func conflictStores(t *testing.T, f *emulator.Faults, n int) (faulty, plain *ddbstore.Store) {
	t.Helper()
	cfg := emulator.Config(t)
	plain = fixture.StoreOn(t, dynamodb.NewFromConfig(cfg))
	faulty = fixture.StoreOn(t, dynamodb.NewFromConfig(f.Wrap(cfg)))
	if err := plain.Accounts().Import(context.Background(), availableAccounts(n, t0)); err != nil {
		t.Fatal(err)
	}
	return faulty, plain
}

// tally counts the requests granted and those refused with want; any other
// error fails the test.
func tally(t *testing.T, errs []error, want error) (granted, refused int) {
	t.Helper()
	for i, err := range errs {
		switch {
		case err == nil:
			granted++
		case errors.Is(err, want):
			refused++
		default:
			t.Errorf("request %d: %v", i, err)
		}
	}
	return granted, refused
}

// grantEach grants n leases to email through s, one after the other.
func grantEach(t *testing.T, s *ddbstore.Store, n int, email string) []account.Granted {
	t.Helper()
	var grants []account.Granted
	for range n {
		g, err := s.Grant(context.Background(), grantNew(email, 0))
		if err != nil {
			t.Fatal(err)
		}
		grants = append(grants, g)
	}
	return grants
}

// grantNew is a request on a template that needs no approval, announced
// with LeaseApproved.
func grantNew(email string, max int) account.GrantRequest {
	now := t0.Add(72 * time.Hour)
	return account.GrantRequest{
		Lease:      pendingLease(email),
		ApprovedBy: lease.AutoApproved,
		Now:        now,
		Cooldown:   time.Hour,
		New:        true,
		MaxPerUser: max,
		Announce: func(l lease.Lease, a account.Account) ([]events.Record, error) {
			return events.Records(now, events.LeaseApproved{LeaseID: l.Key, AccountID: a.ID, ApprovedBy: l.ApprovedBy})
		},
	}
}

// grantAll runs the requests at once and returns the grants and the
// errors, in request order.
func grantAll(s *ddbstore.Store, reqs []account.GrantRequest) ([]account.Granted, []error) {
	grants, errs := make([]account.Granted, len(reqs)), make([]error, len(reqs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, r := range reqs {
		wg.Go(func() {
			<-start
			grants[i], errs[i] = s.Grant(context.Background(), r)
		})
	}
	close(start)
	wg.Wait()
	return grants, errs
}

// checkOneLeasePerAccount checks the rows after a storm: every granted
// account Active and held by the lease that won it, that lease Active on
// it, no account granted twice, each user's count equal to their active
// leases, and one announcement per grant in the outbox.
func checkOneLeasePerAccount(t *testing.T, s *ddbstore.Store, grants []account.Granted, errs []error) {
	t.Helper()
	ctx := context.Background()
	holder := map[string]lease.Key{}
	perUser := map[string]int{}
	for i, g := range grants {
		if errs[i] != nil {
			continue
		}
		if prev, taken := holder[g.Account.ID]; taken {
			t.Errorf("account %s granted to %s and %s", g.Account.ID, prev, g.Lease.Key)
		}
		holder[g.Account.ID] = g.Lease.Key
		perUser[g.Lease.UserEmail]++
		a, err := s.Accounts().Get(ctx, g.Account.ID)
		if err != nil || a.Status != account.Active || a.Lease == nil || *a.Lease != g.Lease.Key {
			t.Errorf("account %s = %s held by %v, %v", g.Account.ID, a.Status, a.Lease, err)
		}
		l, err := s.Leases().Get(ctx, g.Lease.Key)
		if err != nil || l.Status != lease.Active || l.AccountID != g.Account.ID {
			t.Errorf("lease %s = %s on %q, %v", g.Lease.Key, l.Status, l.AccountID, err)
		}
	}
	for email, n := range perUser {
		if c, err := s.Leases().Count(ctx, email); err != nil || c != n {
			t.Errorf("%s counts %d leases, holds %d (%v)", email, c, n, err)
		}
	}
	active, _, err := s.Leases().
		ListByStatus(ctx, page.StatusQuery{Status: string(lease.Active)}, page.Page{Size: 500})
	if err != nil || len(active) != len(holder) {
		t.Errorf("%d active leases in the table, %d grants (%v)", len(active), len(holder), err)
	}
	waiting, err := s.Outbox().Pending(ctx, t0.Add(1000*time.Hour), 500)
	if err != nil || len(waiting) != len(holder) {
		t.Errorf("%d announcements in the outbox for %d grants (%v)", len(waiting), len(holder), err)
	}
}

func TestGrantsUnderTransactionConflictsRetryUntilThePoolIsEmpty(t *testing.T) {
	f := &emulator.Faults{TransactionConflictRate: 0.3, Seed: 3}
	s, plain := conflictStores(t, f, 30)
	// Twenty users ask twice each, at once: the quota items and the
	// accounts are both contended.
	var reqs []account.GrantRequest
	for i := range 40 {
		reqs = append(reqs, grantNew(fmt.Sprintf("user-%02d@example.com", i%20), 2))
	}
	grants, errs := grantAll(s, reqs)
	granted, empty := tally(t, errs, fault.PoolEmpty)
	if granted != 30 || empty != 10 {
		t.Fatalf("%d grants and %d empty-pool answers; want 30 and 10", granted, empty)
	}
	if f.Injected("TransactWriteItems") == 0 {
		t.Fatal("no conflict was injected")
	}
	checkOneLeasePerAccount(t, plain, grants, errs)
}

func TestThePerUserLimitHoldsUnderTransactionConflicts(t *testing.T) {
	f := &emulator.Faults{TransactionConflictRate: 0.5, Seed: 5}
	s, plain := conflictStores(t, f, 12)
	var reqs []account.GrantRequest
	for range 8 {
		reqs = append(reqs, grantNew("busy@example.com", 3))
	}
	grants, errs := grantAll(s, reqs)
	granted, limited := tally(t, errs, fault.LimitReached)
	if granted != 3 || limited != 5 {
		t.Fatalf("%d grants and %d limit answers; want 3 and 5", granted, limited)
	}
	checkOneLeasePerAccount(t, plain, grants, errs)
}

func TestTerminationsUnderTransactionConflictsRetryAndCountOnce(t *testing.T) {
	ctx := context.Background()
	f := &emulator.Faults{TransactionConflictRate: 0.5, Seed: 9}
	s, plain := conflictStores(t, f, 6)
	// One user's six leases end at once: every termination lowers the same
	// quota item.
	var leases []lease.Lease
	for _, g := range grantEach(t, plain, 6, "done@example.com") {
		leases = append(leases, g.Lease)
	}
	errs := make([]error, len(leases))
	var wg sync.WaitGroup
	for i, l := range leases {
		wg.Go(func() {
			next, err := l.Transition(lease.ManuallyTerminated, t0.Add(80*time.Hour))
			if err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = s.Leases().Save(ctx, l, next)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("terminate %s: %v", leases[i].Key, err)
		}
	}
	for _, l := range leases {
		if got, err := plain.Leases().Get(ctx, l.Key); err != nil || got.Status != lease.ManuallyTerminated ||
			got.Version != l.Version+1 {
			t.Errorf("lease %s = %s v%d, %v", l.Key, got.Status, got.Version, err)
		}
	}
	if c, err := plain.Leases().Count(ctx, "done@example.com"); err != nil || c != 0 {
		t.Fatalf("count after six terminations = %d, %v", c, err)
	}
	if f.Injected("TransactWriteItems") == 0 {
		t.Fatal("no conflict was injected")
	}
}

func TestConflictsThatOutlastTheBudgetAreAConflictAndWriteNothing(t *testing.T) {
	ctx := context.Background()
	f := &emulator.Faults{TransactionConflictRate: 1}
	s, plain := conflictStores(t, f, 3)
	s = s.WithBackoff(
		ddbstore.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Budget: 50 * time.Millisecond},
	)
	r := grantNew("late@example.com", 2)
	_, err := s.Grant(ctx, r)
	if !errors.Is(err, fault.Conflict) {
		t.Fatalf("Grant while every transaction conflicts: %v, want a conflict to retry", err)
	}
	if f.Injected("TransactWriteItems") < 2 {
		t.Fatalf("%d transactions tried", f.Injected("TransactWriteItems"))
	}
	if _, err := plain.Leases().Get(ctx, r.Lease.Key); !errors.Is(err, fault.NotFound) {
		t.Fatalf("the lease was written: %v", err)
	}
	if c, _ := plain.Leases().Count(ctx, "late@example.com"); c != 0 {
		t.Fatalf("count = %d", c)
	}
	for i := range 3 {
		if a, _ := plain.Accounts().Get(ctx, accountID(i)); a.Status != account.Available || a.Version != 1 {
			t.Fatalf("account %s = %s v%d", a.ID, a.Status, a.Version)
		}
	}

	t.Run("a termination is a conflict, not a missing lease", func(t *testing.T) {
		l, err := plain.Leases().Create(ctx, pendingLease("late@example.com"), 0)
		if err != nil {
			t.Fatal(err)
		}
		next, _ := l.Transition(lease.ManuallyTerminated, t0)
		_, err = s.Leases().Save(ctx, l, next)
		var ce *fault.ConflictError
		if !errors.As(err, &ce) || ce.Entity != "lease" {
			t.Fatalf("Save while every transaction conflicts: %v", err)
		}
	})
}

func TestConcurrentRequestsSpreadOverThePoolAndMostlyWinAtTheFirstTry(t *testing.T) {
	_, s := conflictStores(t, &emulator.Faults{}, 50)
	// 200 requests at once on 50 accounts all read the same oldest
	// accounts first; picking among them at random keeps them apart.
	var reqs []account.GrantRequest
	for i := range 200 {
		reqs = append(reqs, grantNew(fmt.Sprintf("ci-%03d@example.com", i), 1))
	}
	grants, errs := grantAll(s, reqs)
	var tries []int
	for i, err := range errs {
		switch {
		case err == nil:
			tries = append(tries, grants[i].Attempts)
		case !errors.Is(err, fault.PoolEmpty):
			t.Errorf("request %d: %v", i, err)
		}
	}
	if len(tries) != 50 {
		t.Fatalf("%d grants, want 50", len(tries))
	}
	slices.Sort(tries)
	if median, worst := tries[len(tries)/2], tries[len(tries)-1]; median != 1 || worst > 4 {
		t.Fatalf("transactions per grant: median %d, worst %d (all: %v); want 1 and at most 4", median, worst, tries)
	}
	checkOneLeasePerAccount(t, s, grants, errs)
}

func TestALeaseAndItsAccountEndTogetherUnderTransactionConflicts(t *testing.T) {
	ctx := context.Background()
	f := &emulator.Faults{TransactionConflictRate: 0.5, Seed: 13}
	s, plain := conflictStores(t, f, 5)
	grants := grantEach(t, plain, 5, "ended@example.com")
	// The lifecycle manager ends each lease and sends its account to
	// cleanup in one transaction; five at once share the quota item.
	errs := make([]error, len(grants))
	var wg sync.WaitGroup
	for i, g := range grants {
		wg.Go(func() {
			at := t0.Add(90 * time.Hour)
			l, err := g.Lease.Transition(lease.Expired, at)
			if err != nil {
				errs[i] = err
				return
			}
			a, err := g.Account.Move(account.CleanUp, at)
			if err != nil {
				errs[i] = err
				return
			}
			_, _, errs[i] = s.SaveLeaseAndAccount(ctx, g.Lease, l, g.Account, a)
		})
	}
	wg.Wait()
	for i, g := range grants {
		if errs[i] != nil {
			t.Errorf("end %s: %v", g.Lease.Key, errs[i])
			continue
		}
		l, _ := plain.Leases().Get(ctx, g.Lease.Key)
		a, _ := plain.Accounts().Get(ctx, g.Account.ID)
		if l.Status != lease.Expired || a.Status != account.CleanUp {
			t.Errorf("lease %s is %s, account %s is %s", l.Key, l.Status, a.ID, a.Status)
		}
	}
	if c, err := plain.Leases().Count(ctx, "ended@example.com"); err != nil || c != 0 {
		t.Fatalf("count after five ends = %d, %v", c, err)
	}
	if f.Injected("TransactWriteItems") == 0 {
		t.Fatal("no conflict was injected")
	}
}
