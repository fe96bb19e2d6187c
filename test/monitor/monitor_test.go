package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/monitor"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/test/fixture"
)

func TestEveryEventFiresOnceAcrossTwoPasses(t *testing.T) {
	w := newWorld(t, config.DefaultGlobal())
	ctx := context.Background()
	budgetAlert := active(1, "100000000001", 40, 200)
	budgetAlert.BudgetThresholds = []lease.BudgetThreshold{{DollarsSpent: 50, Action: lease.ActionAlert}}
	durationAlert := active(2, "100000000002", 5, 0)
	// Its moment (expiration − 52.5 h) fell half an hour before t0.
	durationAlert.DurationThresholds = []lease.DurationThreshold{{HoursRemaining: 52.5, Action: lease.ActionAlert}}
	budgetFreeze := active(3, "100000000003", 10, 200)
	budgetFreeze.BudgetThresholds = []lease.BudgetThreshold{{DollarsSpent: 50, Action: lease.ActionFreeze}}
	overBudget := active(4, "100000000004", 90, 100)
	expired := active(5, "100000000005", 5, 0)
	expired.ExpirationDate = ptr(t0.Add(-time.Hour))
	// Cost Explorer does not know this account yet: its stored cost stays.
	unknown := active(6, "100000000006", 3, 0)
	leases := []lease.Lease{budgetAlert, durationAlert, budgetFreeze, overBudget, expired, unknown}
	for i := range leases {
		leases[i] = w.create(leases[i])
	}
	if err := w.Store.Accounts().Import(ctx, []account.Account{
		{ID: "300000000001", Status: account.Available}, {ID: "300000000002", Status: account.Available},
		{ID: "300000000003", Status: account.Available}, {ID: "300000000004", Status: account.Quarantine},
		{ID: "300000000005", Status: account.Active},
	}); err != nil {
		t.Fatal(err)
	}
	w.queue(answer(
		spend{"100000000001", day(3), 500}, // before the lease started: not counted
		spend{"100000000001", day(2), 20}, spend{"100000000001", day(1), 25}, spend{"100000000001", day(0), 15},
		spend{"100000000002", day(1), 5},
		spend{"100000000003", day(0), 70},
		spend{"100000000004", day(1), 120},
		spend{"100000000005", day(0), 5},
	))

	first := w.run(t0)
	got := fixture.DetailTypes(w.Tap.Drain(t))
	slices.Sort(got)
	want := []string{names.LeaseBudgetExceeded, names.LeaseBudgetThresholdAlert, names.LeaseDurationThresholdAlert,
		names.LeaseExpired, names.LeaseFreezingThresholdAlert}
	if !slices.Equal(got, want) {
		t.Fatalf("first pass sent %v, want %v", got, want)
	}
	if first.Writes != 5 || first.Unchanged != 1 || first.CostCalls != 1 || w.costs.Calls() != 1 {
		t.Errorf(
			"first pass: %+v (cost calls seen %d); want 5 writes, 1 unchanged, 1 Cost Explorer call",
			first,
			w.costs.Calls(),
		)
	}
	if w.pub.Calls != 1 {
		t.Errorf("5 events took %d PutEvents calls, want 1", w.pub.Calls)
	}
	if got := w.get(budgetAlert.Key).TotalCostAccrued; got != 60 {
		t.Errorf("budget alert lease cost %v, want 60 (spend from its start day on)", got)
	}
	if got := w.get(unknown.Key); got.TotalCostAccrued != 3 || got.Version != leases[5].Version {
		t.Errorf(
			"a lease Cost Explorer does not know was changed: cost %v version %d",
			got.TotalCostAccrued,
			got.Version,
		)
	}
	ended := w.get(overBudget.Key)
	if ended.Status != lease.Active || ended.EndRequested != lease.BudgetExceeded || !ended.EndRequestedAt.Equal(t0) ||
		ended.TotalCostAccrued != 120 {
		t.Errorf("over-budget lease after the pass: status %s, end requested %q at %v, cost %v",
			ended.Status, ended.EndRequested, ended.EndRequestedAt, ended.TotalCostAccrued)
	}
	if first.AvailableAccounts != 3 || first.QuarantinedAccounts != 1 {
		t.Errorf(
			"gauges: %d available, %d quarantined; want 3 and 1",
			first.AvailableAccounts,
			first.QuarantinedAccounts,
		)
	}
	var emf map[string]any
	if err := json.Unmarshal(w.metrics.Bytes(), &emf); err != nil {
		t.Fatalf("metrics are not one EMF line: %v\n%s", err, w.metrics)
	}
	if emf[names.MetricAvailableAccounts] != 3.0 || emf[names.MetricQuarantinedAccounts] != 1.0 ||
		!strings.Contains(w.metrics.String(), `"Namespace":"`+names.MetricNamespace(fixture.Namespace)+`"`) {
		t.Errorf("metrics line: %s", w.metrics)
	}

	// An hour later Cost Explorer says the same: nothing is due, nothing
	// is written, nothing is sent (the over-budget and expired leases are
	// still Active: no lifecycle manager runs here).
	before := map[lease.Key]int64{}
	for _, l := range leases {
		before[l.Key] = w.get(l.Key).Version
	}
	second := w.run(t0.Add(time.Hour))
	if got := w.Tap.Drain(t); len(got) != 0 {
		t.Errorf("second pass sent %v, want nothing", fixture.DetailTypes(got))
	}
	if second.Writes != 0 || second.EventCount() != 0 || second.Unchanged != 6 {
		t.Errorf("second pass: %+v; want no writes, no events, 6 unchanged", second)
	}
	for _, l := range leases {
		if v := w.get(l.Key).Version; v != before[l.Key] {
			t.Errorf(
				"lease %s was written by a pass that changed nothing (version %d → %d)",
				l.AccountID,
				before[l.Key],
				v,
			)
		}
	}
}

func TestFrozenLeaseIsNotFrozenAgain(t *testing.T) {
	w := newWorld(t, config.DefaultGlobal())
	l := active(1, "100000000001", 20, 200)
	l.Status = lease.Frozen
	l.BudgetThresholds = []lease.BudgetThreshold{
		{DollarsSpent: 30, Action: lease.ActionAlert},
		{DollarsSpent: 50, Action: lease.ActionFreeze},
	}
	l = w.create(l)
	w.queue(answer(spend{"100000000001", day(0), 60}))

	sum := w.run(t0)
	got := w.Tap.Drain(t)
	if len(got) != 1 || got[0].Envelope.DetailType != names.LeaseBudgetThresholdAlert {
		t.Fatalf("a frozen lease past a freeze threshold sent %v, want only its budget alert", fixture.DetailTypes(got))
	}
	if a := got[0].Event.(events.LeaseBudgetThresholdAlert); a.BudgetThresholdTriggered != 30 || a.TotalSpend != 60 {
		t.Errorf("alert: %+v", a)
	}
	if stored := w.get(l.Key); stored.TotalCostAccrued != 60 || stored.Status != lease.Frozen || sum.Writes != 1 {
		t.Errorf(
			"frozen lease after the pass: cost %v status %s (writes %d)",
			stored.TotalCostAccrued,
			stored.Status,
			sum.Writes,
		)
	}
}

func TestCostExplorerIsAskedOncePer199Accounts(t *testing.T) {
	w := newWorld(t, config.DefaultGlobal())
	ctx := context.Background()
	const n = 401 // 199 + 199 + 3
	leases := make([]lease.Lease, n)
	// Start dates increase with the account id, so the batches are the
	// slices [0,199), [199,398), [398,401) in this order.
	for i := range leases {
		l := active(i, fmt.Sprintf("4%011d", i), 10, 0)
		l.StartDate = l.StartDate.Add(time.Duration(i) * time.Second)
		l.BudgetThresholds = []lease.BudgetThreshold{{DollarsSpent: 50, Action: lease.ActionAlert}}
		leases[i] = l
	}
	if err := w.Store.Leases().Import(ctx, leases); err != nil {
		t.Fatal(err)
	}
	// 23 leases cross their threshold, the others spend a little.
	crossing := 0
	var answers []answerBatch
	for start := 0; start < n; start += monitor.MaxAccountsPerCall {
		var spends []spend
		for i := start; i < min(start+monitor.MaxAccountsPerCall, n); i++ {
			amount := 12.5
			if i%18 == 0 {
				amount, crossing = 55, crossing+1
			}
			spends = append(spends, spend{leases[i].AccountID, day(1), amount})
		}
		answers = append(answers, answerBatch(spends))
	}
	for _, a := range answers {
		w.queue(answer(a...))
	}

	sum := w.run(t0)
	if want := (n + monitor.MaxAccountsPerCall - 1) / monitor.MaxAccountsPerCall; w.costs.Calls() != want ||
		sum.CostCalls != want {
		t.Errorf("%d leases took %d Cost Explorer calls (summary %d), want %d", n, w.costs.Calls(), sum.CostCalls, want)
	}
	if got := len(w.Tap.Drain(t)); got != crossing || sum.EventCount() != crossing {
		t.Errorf("%d events on the bus (summary %d), want %d", got, sum.EventCount(), crossing)
	}
	if limit := (crossing + 9) / 10; w.pub.Calls > limit {
		t.Errorf("%d events took %d PutEvents calls, want at most %d", crossing, w.pub.Calls, limit)
	}
	if sum.Writes != n {
		t.Errorf("%d writes, want %d (every cost changed)", sum.Writes, n)
	}
	for _, i := range []int{0, 198, 199, 397, 398, 400} {
		want := 12.5
		if i%18 == 0 {
			want = 55
		}
		if got := w.get(leases[i].Key).TotalCostAccrued; got != want {
			t.Errorf("lease %d (batch %d) cost %v, want %v", i, i/monitor.MaxAccountsPerCall, got, want)
		}
	}
}

type answerBatch []spend

func TestCostExplorerPagesAreFollowed(t *testing.T) {
	w := newWorld(t, config.DefaultGlobal())
	a := w.create(active(1, "100000000001", 0, 0))
	b := w.create(active(2, "100000000002", 0, 0))
	page1 := answer(spend{"100000000001", day(1), 7}, spend{"100000000002", day(1), 1})
	page1.NextPageToken = "page-2"
	w.queue(page1, answer(spend{"100000000002", day(0), 2}))

	sum := w.run(t0)
	if sum.CostCalls != 2 || w.costs.Calls() != 2 {
		t.Errorf("a two-page answer took %d calls, want 2", w.costs.Calls())
	}
	if got := w.get(a.Key).TotalCostAccrued; got != 7 {
		t.Errorf("account on page 1 cost %v, want 7", got)
	}
	if got := w.get(b.Key).TotalCostAccrued; got != 3 {
		t.Errorf("account on both pages cost %v, want 3 (1 + 2)", got)
	}
}

func TestLeaseTerminatedDuringThePassIsLeftAlone(t *testing.T) {
	w := newWorld(t, config.DefaultGlobal())
	ctx := context.Background()
	doomed := w.create(active(1, "100000000001", 10, 100))
	other := active(2, "100000000002", 10, 100)
	other.BudgetThresholds = []lease.BudgetThreshold{{DollarsSpent: 50, Action: lease.ActionAlert}}
	other = w.create(other)
	w.queue(answer(spend{"100000000001", day(0), 150}, spend{"100000000002", day(0), 60}))
	// One writer: both leases' writes and events share one transaction,
	// which must drop the terminated lease and its event and keep the rest.
	w.svc.WriteWorkers = 1

	// A manager terminates the first lease while its cost is being fetched.
	var terminated lease.Lease
	w.costs.During = func() {
		l := w.get(doomed.Key)
		next, err := l.Transition(lease.ManuallyTerminated, t0)
		if err != nil {
			t.Error(err)
			return
		}
		if terminated, err = w.Store.Leases().Save(ctx, l, next); err != nil {
			t.Error(err)
		}
	}

	sum := w.run(t0)
	got := w.Tap.Drain(t)
	if len(got) != 1 || got[0].Envelope.DetailType != names.LeaseBudgetThresholdAlert {
		t.Fatalf("sent %v, want only the other lease's budget alert", fixture.DetailTypes(got))
	}
	stored := w.get(doomed.Key)
	if stored.Status != lease.ManuallyTerminated || stored.Version != terminated.Version ||
		stored.TotalCostAccrued != 10 || stored.EndRequested != "" {
		t.Errorf("terminated lease was written: status %s version %d (terminated at %d) cost %v end requested %q",
			stored.Status, stored.Version, terminated.Version, stored.TotalCostAccrued, stored.EndRequested)
	}
	if sum.Conflicts != 1 || sum.Writes != 1 {
		t.Errorf("summary %+v; want 1 conflict skipped and 1 write", sum)
	}
}

func TestPendingRequestsExpireAfterTheConfiguredWait(t *testing.T) {
	tests := []struct {
		name        string
		limitHours  int
		wantExpired bool
	}{
		{"a request waiting longer than the limit expires and its user is told", 48, true},
		{"a limit of zero keeps requests pending forever", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := config.DefaultGlobal()
			g.Leases.PendingApprovalTimeoutHours = tc.limitHours
			g.Leases.TTL = 30
			w := newWorld(t, g)
			ctx := context.Background()
			pending := func(n int, created time.Time) lease.Lease {
				l, err := w.Store.Leases().Create(ctx, lease.Lease{Key: lease.Key{UserEmail: "user@example.com",
					UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", n)}, Status: lease.PendingApproval,
					CreatedAt: created, StatusChangedAt: created}, 5)
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			old := pending(1, t0.Add(-72*time.Hour))
			fresh := pending(2, t0.Add(-time.Hour))

			sum := w.run(t0)
			got := w.Tap.Drain(t)
			count, err := w.Store.Leases().Count(ctx, "user@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if w.get(fresh.Key).Status != lease.PendingApproval {
				t.Errorf("a request waiting an hour was changed")
			}
			stored := w.get(old.Key)
			if !tc.wantExpired {
				if stored.Status != lease.PendingApproval || len(got) != 0 || count != 2 || sum.PendingExpired != 0 {
					t.Errorf("status %s, events %v, count %d", stored.Status, fixture.DetailTypes(got), count)
				}
				return
			}
			if stored.Status != lease.Expired || stored.TTL != t0.Add(30*24*time.Hour).Unix() ||
				sum.PendingExpired != 1 {
				t.Errorf("old request: status %s ttl %d (summary %+v)", stored.Status, stored.TTL, sum)
			}
			if count != 1 {
				t.Errorf("user's lease count %d after expiry, want 1 (quota released)", count)
			}
			if len(got) != 1 {
				t.Fatalf("sent %v, want one LeaseDenied", fixture.DetailTypes(got))
			}
			denied, ok := got[0].Event.(events.LeaseDenied)
			if !ok || denied.LeaseID != old.Key || denied.DeniedBy != monitor.ApprovalTimeoutDenier {
				t.Errorf("sent %+v, want LeaseDenied of %s by %s", got[0].Event, old.Key, monitor.ApprovalTimeoutDenier)
			}
		})
	}
}

func TestFailedCostBatchIsSkippedAndReported(t *testing.T) {
	w := newWorld(t, config.DefaultGlobal())
	ctx := context.Background()
	// 200 leases make two batches: [0,199) and [199,200).
	leases := make([]lease.Lease, 200)
	for i := range leases {
		l := active(i, fmt.Sprintf("4%011d", i), 10, 0)
		l.StartDate = l.StartDate.Add(time.Duration(i) * time.Second)
		leases[i] = l
	}
	if err := w.Store.Leases().Import(ctx, leases); err != nil {
		t.Fatal(err)
	}
	w.costs.FailCall = 1
	// Only the second batch reaches the emulator, so only its answer is
	// queued.
	w.queue(answer(spend{leases[199].AccountID, day(0), 30}))

	sum, err := w.svc.Run(ctx, t0)
	if err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("a pass with a failed batch returned %v, want the batch's error", err)
	}
	if sum.Failed != 199 || sum.Writes != 1 {
		t.Errorf("summary %+v; want 199 failed and 1 written", sum)
	}
	if got := w.get(leases[0].Key); got.TotalCostAccrued != 10 || got.Version != 1 {
		t.Errorf("a lease of the failed batch was written: cost %v version %d", got.TotalCostAccrued, got.Version)
	}
	if got := w.get(leases[199].Key).TotalCostAccrued; got != 30 {
		t.Errorf("the other batch's lease cost %v, want 30", got)
	}
}

func TestCostOnlyWritesSkipALeaseTerminatedMeanwhileAndKeepTheRest(t *testing.T) {
	w := newWorld(t, config.DefaultGlobal())
	ctx := context.Background()
	// Three leases whose cost moves without crossing anything: their
	// writes go out together in one transaction.
	doomed := w.create(active(1, "100000000001", 10, 100))
	a := w.create(active(2, "100000000002", 10, 100))
	b := w.create(active(3, "100000000003", 10, 100))
	w.queue(
		answer(spend{"100000000001", day(0), 12}, spend{"100000000002", day(0), 13}, spend{"100000000003", day(0), 14}),
	)
	w.svc.WriteWorkers = 1 // one writer, so the three writes make one group
	w.costs.During = func() {
		l := w.get(doomed.Key)
		next, err := l.Transition(lease.ManuallyTerminated, t0)
		if err == nil {
			_, err = w.Store.Leases().Save(ctx, l, next)
		}
		if err != nil {
			t.Error(err)
		}
	}

	sum := w.run(t0)
	if sum.Conflicts != 1 || sum.Writes != 2 || sum.Failed != 0 {
		t.Fatalf("summary %+v; want 1 conflict and 2 writes", sum)
	}
	if got := w.get(doomed.Key); got.Status != lease.ManuallyTerminated || got.TotalCostAccrued != 10 {
		t.Errorf("terminated lease: status %s cost %v; want untouched", got.Status, got.TotalCostAccrued)
	}
	for _, c := range []struct {
		l    lease.Lease
		cost float64
	}{{a, 13}, {b, 14}} {
		if got := w.get(c.l.Key); got.TotalCostAccrued != c.cost || got.Version != c.l.Version+1 {
			t.Errorf(
				"lease %s: cost %v version %d; want %v at version %d",
				c.l.Key.ID(),
				got.TotalCostAccrued,
				got.Version,
				c.cost,
				c.l.Version+1,
			)
		}
	}
	if got := w.Tap.Drain(t); len(got) != 0 {
		t.Errorf("sent %v, want nothing", fixture.DetailTypes(got))
	}
}
