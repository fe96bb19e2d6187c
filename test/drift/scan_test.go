package drift_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/test/fixture"
)

func wantNoReports(t *testing.T, w *world) {
	t.Helper()
	if got := w.reports(); len(got) != 0 {
		t.Errorf("reports = %+v, want none", got)
	}
}

func wantReports(t *testing.T, w *world, want ...events.AccountDriftDetected) []events.AccountDriftDetected {
	t.Helper()
	got := w.reports()
	if !slices.Equal(got, want) {
		t.Fatalf("reports = %+v, want %+v", got, want)
	}
	return got
}

func TestAnAccountInPlace(t *testing.T) {
	t.Run("an account in the OU of its status is left alone", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.Available)
		w.row(id, account.Available, longAgo)
		before := w.account(id)
		sum := w.scan()
		wantNoReports(t, w)
		if sum.Accounts != 1 || sum.InPlace != 1 || sum.Drifted() != 0 {
			t.Errorf("summary = %+v, want one account in place", sum)
		}
		if after := w.account(id); after.Version != before.Version {
			t.Errorf("the row was written (version %d → %d)", before.Version, after.Version)
		}
		if got := w.drifted(); !slices.Equal(got, []int{0}) {
			t.Errorf("DriftedAccounts = %v, want [0]", got)
		}
	})
	t.Run("an account back in place loses the flag of the last scan", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.Active)
		w.put(account.Account{ID: id, Status: account.Active, DriftAtLastScan: true, StatusChangedAt: longAgo})
		sum := w.scan()
		wantNoReports(t, w)
		if w.account(id).DriftAtLastScan {
			t.Error("the drift flag is still set")
		}
		if sum.Cleared != 1 {
			t.Errorf("summary = %+v, want one flag cleared", sum)
		}
	})
}

func TestEveryAccountOfALargeOUIsSeen(t *testing.T) {
	w := newWorld(t)
	const n = 25 // more than one page of ListAccountsForParent (20)
	for range n {
		id := w.newAccount(account.Available)
		w.row(id, account.Available, longAgo)
	}
	untracked := w.newAccount(account.Available)
	sum := w.scan()
	wantReports(t, w, events.AccountDriftDetected{AccountID: untracked, ActualOU: string(account.Available)})
	if sum.Pool != n+1 || sum.Accounts != n || sum.InPlace != n {
		t.Errorf("summary = %+v, want %d accounts in the pool, %d rows in place", sum, n+1, n)
	}
}

func TestATransitionLeftHalfWayIsCompleted(t *testing.T) {
	t.Run("a cleaned account still in CleanUp moves to Available, with no report", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.CleanUp)
		w.row(id, account.Available, longAgo)
		sum := w.scan()
		wantNoReports(t, w)
		if ou := w.ouOf(id); ou != string(account.Available) {
			t.Errorf("the account sits in %s, want Available", ou)
		}
		if a := w.account(id); a.Status != account.Available || a.DriftAtLastScan {
			t.Errorf("row = %s (flag %v), want Available unflagged", a.Status, a.DriftAtLastScan)
		}
		if sum.HalfDone != 1 || sum.Completed != 1 {
			t.Errorf("summary = %+v, want one transition completed", sum)
		}
		if got := w.drifted(); !slices.Equal(got, []int{1}) {
			t.Errorf("DriftedAccounts = %v, want [1]", got)
		}
	})
	t.Run("a granted account still in Available moves to Active and the lessee gets access", func(t *testing.T) {
		w := newWorld(t)
		_, id := w.leased("dev@example.com", account.Active, account.Available)
		w.scan()
		wantNoReports(t, w)
		if ou := w.ouOf(id); ou != string(account.Active) {
			t.Errorf("the account sits in %s, want Active", ou)
		}
		if got, want := w.assignees(id), []string{w.users["dev@example.com"]}; !slices.Equal(got, want) {
			t.Errorf("user access = %v, want the lessee's %v", got, want)
		}
	})
	t.Run("a registered account still in Entry moves to CleanUp", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.Entry)
		w.row(id, account.CleanUp, longAgo)
		w.scan()
		wantNoReports(t, w)
		if ou := w.ouOf(id); ou != string(account.CleanUp) {
			t.Errorf("the account sits in %s, want CleanUp", ou)
		}
	})
	t.Run("a flagged account found half done is completed and loses its flag", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.CleanUp)
		w.put(account.Account{ID: id, Status: account.Quarantine, DriftAtLastScan: true, StatusChangedAt: longAgo})
		w.scan()
		wantNoReports(t, w)
		if a := w.account(id); w.ouOf(id) != string(account.Quarantine) || a.DriftAtLastScan {
			t.Errorf("account in %s with flag %v, want in Quarantine unflagged", w.ouOf(id), a.DriftAtLastScan)
		}
	})
}

func TestAForeignMoveIsConfirmedOnTheSecondScanAndQuarantined(t *testing.T) {
	w := newWorld(t)
	l, id := w.leased("dev@example.com", account.Active, account.Active)
	w.moveTo(id, account.CleanUp) // no move of ours goes from CleanUp to Active

	first := w.scan()
	wantNoReports(t, w)
	if !w.account(id).DriftAtLastScan || first.Suspected != 1 || first.Flagged != 1 {
		t.Fatalf(
			"after the first scan: flag %v, summary %+v; want the row flagged",
			w.account(id).DriftAtLastScan,
			first,
		)
	}
	if ou := w.ouOf(id); ou != string(account.CleanUp) {
		t.Errorf("the first scan moved the account to %s", ou)
	}

	second := w.scan()
	reports := wantReports(
		t,
		w,
		events.AccountDriftDetected{
			AccountID:  id,
			ExpectedOU: string(account.Active),
			ActualOU:   string(account.CleanUp),
		},
	)
	if second.Confirmed != 1 || second.Events != 1 {
		t.Errorf("summary = %+v, want one confirmed drift reported", second)
	}

	w.handle(reports...)
	if a := w.account(id); a.Status != account.Quarantine || w.ouOf(id) != string(account.Quarantine) {
		t.Errorf("account row %s in OU %s, want quarantined", a.Status, w.ouOf(id))
	}
	if got, err := w.Store.Leases().Get(context.Background(), l.Key); err != nil ||
		got.Status != lease.AccountQuarantined {
		t.Errorf("lease = %s (%v), want AccountQuarantined", got.Status, err)
	}

	third := w.scan()
	wantNoReports(t, w)
	if w.account(id).DriftAtLastScan || third.Cleared != 1 {
		t.Errorf("after quarantine: flag %v, summary %+v; want the flag cleared", w.account(id).DriftAtLastScan, third)
	}
}

func TestAnAccountThatLeftThePoolLosesItsRow(t *testing.T) {
	for _, c := range []struct {
		name string
		to   account.OU
		want events.AccountDriftDetected
	}{
		{"moved to the root", "", events.AccountDriftDetected{ExpectedOU: string(account.Available)}},
		{"moved to Exit without an ejection", account.Exit, events.AccountDriftDetected{ExpectedOU: string(
			account.Available), ActualOU: string(account.Exit)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			id := w.newAccount(account.Available)
			w.row(id, account.Available, longAgo)
			w.moveTo(id, c.to)

			w.scan()
			wantNoReports(t, w)
			w.scan()
			c.want.AccountID = id
			reports := wantReports(t, w, c.want)
			w.handle(reports...)
			if !w.gone(id) {
				t.Errorf("the row is still there: %+v", w.account(id))
			}
			if want := map[account.OU]string{"": "root", account.Exit: "Exit"}[c.to]; w.ouOf(id) != want {
				t.Errorf("the account was moved to %s", w.ouOf(id))
			}

			sum := w.scan()
			wantNoReports(t, w)
			if sum.Accounts != 0 || sum.Untracked != 0 {
				t.Errorf("summary = %+v, want nothing to see", sum)
			}
		})
	}
}

func TestUntrackedAccounts(t *testing.T) {
	t.Run("an untracked account in Available is reported at once and recorded in quarantine", func(t *testing.T) {
		w := newWorld(t)
		id := w.newAccount(account.Available)
		sum := w.scan()
		reports := wantReports(t, w, events.AccountDriftDetected{AccountID: id, ActualOU: string(account.Available)})
		if sum.Untracked != 1 || sum.Events != 1 {
			t.Errorf("summary = %+v, want one untracked account reported", sum)
		}
		w.handle(reports...)
		if a := w.account(id); a.Status != account.Quarantine || w.ouOf(id) != string(account.Quarantine) {
			t.Errorf("account row %s in OU %s, want quarantined", a.Status, w.ouOf(id))
		}
		w.scan()
		wantNoReports(t, w)
	})
	t.Run("accounts without a row in Entry or Exit are not reported", func(t *testing.T) {
		w := newWorld(t)
		w.newAccount(account.Entry)
		w.newAccount(account.Exit)
		sum := w.scan()
		wantNoReports(t, w)
		if sum.Pool != 2 || sum.Untracked != 0 || sum.Drifted() != 0 {
			t.Errorf("summary = %+v, want two accounts seen and none drifted", sum)
		}
	})
}

func TestARecentlyChangedRowIsSkipped(t *testing.T) {
	w := newWorld(t)
	id := w.newAccount(account.Active)
	w.row(id, account.Available, fixture.T0.Add(-5*time.Minute))
	before := w.account(id)
	sum := w.scan()
	wantNoReports(t, w)
	if sum.Settling != 1 {
		t.Errorf("summary = %+v, want one account settling", sum)
	}
	if after := w.account(id); after.Version != before.Version || w.ouOf(id) != string(account.Active) {
		t.Errorf(
			"the scan touched a settling account: version %d → %d, OU %s",
			before.Version,
			after.Version,
			w.ouOf(id),
		)
	}
}

// failMoves fails the Organizations moves of one account, before they
// reach AWS.
func failMoves(accountID *string) func(*aws.Config) {
	return fixture.FailWhen("FailMove", func(ctx context.Context, params any) error {
		if mv, ok := params.(*organizations.MoveAccountInput); ok && aws.ToString(mv.AccountId) == *accountID {
			return fmt.Errorf("%s: %w", awsmiddleware.GetOperationName(ctx), errInjected)
		}
		return nil
	})
}

var errInjected = errors.New("injected fault")

func TestOneAccountsFailureDoesNotStopTheScan(t *testing.T) {
	var broken string
	w := newWorld(t, failMoves(&broken))
	broken = w.newAccount(account.CleanUp)
	w.row(broken, account.Available, longAgo)
	fine := w.newAccount(account.CleanUp)
	w.row(fine, account.Available, longAgo)
	untracked := w.newAccount(account.Frozen)

	sum, err := w.scanner.Scan(context.Background(), fixture.T0)
	if !errors.Is(err, errInjected) {
		t.Fatalf("scan error = %v, want the injected fault", err)
	}
	if sum.Failed != 1 || sum.Completed != 1 || sum.Events != 1 {
		t.Errorf("summary = %+v, want one failure, one completion and the untracked report", sum)
	}
	if w.ouOf(fine) != string(account.Available) || w.ouOf(broken) != string(account.CleanUp) {
		t.Errorf("accounts in %s (fine) and %s (broken), want Available and CleanUp", w.ouOf(fine), w.ouOf(broken))
	}
	wantReports(t, w, events.AccountDriftDetected{AccountID: untracked, ActualOU: string(account.Frozen)})

	failed := broken
	broken = "" // the fault clears; the scheduler's retry completes the work
	w.scan()
	if ou := w.ouOf(failed); ou != string(account.Available) {
		t.Errorf("after the retry the account sits in %s, want Available", ou)
	}
}

func TestScansOfASettledPoolEmitNothing(t *testing.T) {
	w := newWorld(t)
	inPlace := w.newAccount(account.Available)
	w.row(inPlace, account.Available, longAgo)
	halfDone := w.newAccount(account.CleanUp)
	w.row(halfDone, account.Available, longAgo)
	foreign := w.newAccount(account.Available) // no move of ours goes from Available to CleanUp
	w.row(foreign, account.CleanUp, longAgo)
	left := w.newAccount(account.Active)
	w.row(left, account.Active, longAgo)
	w.moveTo(left, "")
	untracked := w.newAccount(account.Quarantine)
	w.newAccount(account.Entry)

	// Scan and act on the reports until a scan reports nothing.
	for i := 0; ; i++ {
		if i == 4 {
			t.Fatal("the pool did not settle in 4 scans")
		}
		w.scan()
		reports := w.reports()
		if len(reports) == 0 && i > 0 {
			break
		}
		w.handle(reports...)
	}
	if !w.gone(left) {
		t.Error("the account that left the pool still has a row")
	}
	for id, want := range map[string]account.Status{inPlace: account.Available, halfDone: account.Available,
		foreign: account.Quarantine, untracked: account.Quarantine} {
		if a := w.account(id); a.Status != want || w.ouOf(id) != string(want) || a.DriftAtLastScan {
			t.Errorf(
				"account %s: row %s, OU %s, flag %v; want %s in place, unflagged",
				id,
				a.Status,
				w.ouOf(id),
				a.DriftAtLastScan,
				want,
			)
		}
	}

	versions := map[string]int64{}
	for _, id := range []string{inPlace, halfDone, foreign, untracked} {
		versions[id] = w.account(id).Version
	}
	w.drifted()
	for range 2 {
		sum := w.scan()
		wantNoReports(t, w)
		if sum.Accounts != 4 || sum.InPlace != 4 || sum.Drifted() != 0 {
			t.Errorf("summary = %+v, want four accounts in place", sum)
		}
	}
	for id, v := range versions {
		if got := w.account(id).Version; got != v {
			t.Errorf("account %s was written again (version %d → %d)", id, v, got)
		}
	}
	if got := w.drifted(); !slices.Equal(got, []int{0, 0}) {
		t.Errorf("DriftedAccounts = %v, want [0 0]", got)
	}
}
