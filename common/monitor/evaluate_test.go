package monitor

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
)

var (
	now   = time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	start = now.Add(-100 * time.Hour)
	key   = lease.Key{UserEmail: "user@example.com", UUID: "0b5c3a4e-1f2d-4c6b-9a8e-7d6c5b4a3f21"}
	acct  = "210987654321"
)

func ptr[T any](v T) *T { return &v }

// running is an Active lease of 120 hours, started 100 hours ago, last
// checked an hour ago at $40 spent, with a $100 budget.
func running(change func(*lease.Lease)) lease.Lease {
	exp := start.Add(120 * time.Hour)
	l := lease.Lease{Key: key, Status: lease.Active, AccountID: acct, StartDate: start, ExpirationDate: &exp,
		LastCheckedDate: now.Add(-time.Hour), TotalCostAccrued: 40,
		Terms: lease.Terms{MaxSpend: ptr(100.0), LeaseDurationInHours: ptr(120.0)}}
	if change != nil {
		change(&l)
	}
	return l
}

func budget(dollars float64, a lease.Action) lease.BudgetThreshold {
	return lease.BudgetThreshold{DollarsSpent: dollars, Action: a}
}

func hoursLeft(h float64, a lease.Action) lease.DurationThreshold {
	return lease.DurationThreshold{HoursRemaining: h, Action: a}
}

// withBudgets sets the lease's budget thresholds.
func withBudgets(ths ...lease.BudgetThreshold) func(*lease.Lease) {
	return func(l *lease.Lease) { l.BudgetThresholds = ths }
}

// withDurations sets the lease's duration thresholds.
func withDurations(ths ...lease.DurationThreshold) func(*lease.Lease) {
	return func(l *lease.Lease) { l.DurationThresholds = ths }
}

func TestEvaluate(t *testing.T) {
	const (
		alert  = lease.ActionAlert
		freeze = lease.ActionFreeze
	)
	// The lease expires at now+20h; a threshold of 20.5 hours remaining
	// fell half an hour ago, one of 21.5 hours before the last check.
	tests := []struct {
		name  string
		lease lease.Lease
		cost  float64
		want  Decision
	}{
		{
			name:  "a lease under every threshold asks for nothing",
			lease: running(nil), cost: 45,
			want: Decision{},
		},
		{
			name:  "spend reaching the maximum asks only to end the lease for its budget",
			lease: running(withBudgets(budget(50, alert))), cost: 100,
			want: Decision{End: lease.BudgetExceeded, Events: []events.Event{
				events.LeaseBudgetExceeded{LeaseID: key, AccountID: acct, Budget: 100, TotalSpend: 100}}},
		},
		{
			name:  "a lease already asked to end for its budget is not asked again",
			lease: running(func(l *lease.Lease) { l.EndRequested = lease.BudgetExceeded }), cost: 120,
			want: Decision{},
		},
		{
			name: "a lease past its expiration asks only to end by expiry, even over a threshold",
			lease: running(func(l *lease.Lease) {
				l.ExpirationDate = ptr(now.Add(-time.Minute))
				l.BudgetThresholds = []lease.BudgetThreshold{budget(50, alert)}
			}), cost: 60,
			want: Decision{End: lease.Expired, Events: []events.Event{
				events.LeaseExpired{LeaseID: key, AccountID: acct, LeaseExpirationDate: now.Add(-time.Minute)}}},
		},
		{
			name: "a lease already asked to end by expiry is not asked again",
			lease: running(func(l *lease.Lease) {
				l.ExpirationDate = ptr(now.Add(-time.Hour))
				l.EndRequested, l.EndRequestedAt = lease.Expired, now.Add(-time.Hour)
			}), cost: 60,
			want: Decision{},
		},
		{
			name:  "a lease expiring exactly now is not yet expired",
			lease: running(func(l *lease.Lease) { l.ExpirationDate = ptr(now) }), cost: 40,
			want: Decision{},
		},
		{
			name:  "the budget maximum is checked before expiry",
			lease: running(func(l *lease.Lease) { l.ExpirationDate = ptr(now.Add(-time.Hour)) }), cost: 150,
			want: Decision{End: lease.BudgetExceeded, Events: []events.Event{
				events.LeaseBudgetExceeded{LeaseID: key, AccountID: acct, Budget: 100, TotalSpend: 150}}},
		},
		{
			name:  "of two budget alerts crossed at once only the larger is sent",
			lease: running(withBudgets(budget(50, alert), budget(75, alert), budget(90, alert))), cost: 80,
			want: Decision{Events: []events.Event{events.LeaseBudgetThresholdAlert{LeaseID: key, AccountID: acct,
				Budget: ptr(100.0), TotalSpend: 80, BudgetThresholdTriggered: 75, ActionRequested: alert}}},
		},
		{
			name:  "a budget threshold crossed before the stored cost is not sent again",
			lease: running(withBudgets(budget(30, alert))), cost: 45,
			want: Decision{},
		},
		{
			name:  "a budget threshold equal to the stored cost was already sent",
			lease: running(withBudgets(budget(40, alert))), cost: 45,
			want: Decision{},
		},
		{
			name:  "spend landing exactly on a budget threshold crosses it",
			lease: running(withBudgets(budget(50, alert))), cost: 50,
			want: Decision{Events: []events.Event{events.LeaseBudgetThresholdAlert{LeaseID: key, AccountID: acct,
				Budget: ptr(100.0), TotalSpend: 50, BudgetThresholdTriggered: 50, ActionRequested: alert}}},
		},
		{
			name:  "a budget freeze on an active lease sends one freeze alert and the largest plain alert",
			lease: running(withBudgets(budget(50, alert), budget(70, freeze), budget(60, freeze))), cost: 80,
			want: Decision{Events: []events.Event{
				events.LeaseFreezingThresholdAlert{
					LeaseID:   key,
					AccountID: acct,
					Reason:    events.FrozenByBudget(70, ptr(100.0), 80),
				},
				events.LeaseBudgetThresholdAlert{LeaseID: key, AccountID: acct,
					Budget: ptr(100.0), TotalSpend: 80, BudgetThresholdTriggered: 50, ActionRequested: alert},
			}},
		},
		{
			name: "a budget freeze wins over a duration freeze crossed in the same hour",
			lease: running(func(l *lease.Lease) {
				l.BudgetThresholds = []lease.BudgetThreshold{budget(50, freeze)}
				l.DurationThresholds = []lease.DurationThreshold{hoursLeft(20.5, freeze)}
			}), cost: 55,
			want: Decision{Events: []events.Event{
				events.LeaseFreezingThresholdAlert{
					LeaseID:   key,
					AccountID: acct,
					Reason:    events.FrozenByBudget(50, ptr(100.0), 55),
				}}},
		},
		{
			name: "a duration freeze on an active lease sends a freeze alert for the threshold with the fewest hours left",
			lease: running(func(l *lease.Lease) {
				l.LastCheckedDate = now.Add(-3 * time.Hour)
				l.DurationThresholds = []lease.DurationThreshold{hoursLeft(22, freeze), hoursLeft(21, freeze)}
			}), cost: 40,
			want: Decision{Events: []events.Event{
				events.LeaseFreezingThresholdAlert{
					LeaseID:   key,
					AccountID: acct,
					Reason:    events.FrozenByDuration(21, ptr(120)),
				}}},
		},
		{
			name: "a frozen lease is not sent a freeze alert again but still gets its plain alerts",
			lease: running(func(l *lease.Lease) {
				l.Status = lease.Frozen
				l.BudgetThresholds = []lease.BudgetThreshold{budget(50, alert), budget(60, freeze)}
				l.DurationThresholds = []lease.DurationThreshold{hoursLeft(20.5, freeze)}
			}), cost: 65,
			want: Decision{Events: []events.Event{events.LeaseBudgetThresholdAlert{LeaseID: key, AccountID: acct,
				Budget: ptr(100.0), TotalSpend: 65, BudgetThresholdTriggered: 50, ActionRequested: alert}}},
		},
		{
			name: "a duration threshold that fell since the last check sends the one with the fewest hours left",
			lease: running(func(l *lease.Lease) {
				l.LastCheckedDate = now.Add(-3 * time.Hour)
				l.DurationThresholds = []lease.DurationThreshold{
					hoursLeft(22, alert),
					hoursLeft(20.5, alert),
					hoursLeft(10, alert),
				}
			}), cost: 40,
			want: Decision{Events: []events.Event{events.LeaseDurationThresholdAlert{LeaseID: key, AccountID: acct,
				TriggeredDurationThreshold: 21, LeaseDurationInHours: ptr(120), ActionRequested: alert}}},
		},
		{
			name:  "a threshold's hours are rounded to the nearest whole hour, as every duration in an event",
			lease: running(withDurations(hoursLeft(20.2, alert))), cost: 40,
			want: Decision{Events: []events.Event{events.LeaseDurationThresholdAlert{LeaseID: key, AccountID: acct,
				TriggeredDurationThreshold: 20, LeaseDurationInHours: ptr(120), ActionRequested: alert}}},
		},
		{
			name:  "a duration threshold that fell before the last check is not sent again",
			lease: running(withDurations(hoursLeft(21.5, alert))), cost: 40,
			want: Decision{},
		},
		{
			name:  "a duration threshold still ahead is not sent",
			lease: running(withDurations(hoursLeft(10, alert))), cost: 40,
			want: Decision{},
		},
		{
			name: "a lease never checked counts duration thresholds from its start",
			lease: running(func(l *lease.Lease) {
				l.LastCheckedDate = time.Time{}
				l.DurationThresholds = []lease.DurationThreshold{hoursLeft(110, alert)}
			}), cost: 40,
			want: Decision{Events: []events.Event{events.LeaseDurationThresholdAlert{LeaseID: key, AccountID: acct,
				TriggeredDurationThreshold: 110, LeaseDurationInHours: ptr(120), ActionRequested: alert}}},
		},
		{
			name: "a lease without expiration or budget has no duration events and no end",
			lease: running(func(l *lease.Lease) {
				l.ExpirationDate, l.MaxSpend = nil, nil
				l.DurationThresholds = []lease.DurationThreshold{hoursLeft(20.5, alert)}
				l.BudgetThresholds = []lease.BudgetThreshold{budget(500, alert)}
			}), cost: 600,
			want: Decision{Events: []events.Event{events.LeaseBudgetThresholdAlert{LeaseID: key, AccountID: acct,
				TotalSpend: 600, BudgetThresholdTriggered: 500, ActionRequested: alert}}},
		},
		{
			name: "budget and duration alerts crossed in the same hour are both sent, budget first",
			lease: running(func(l *lease.Lease) {
				l.BudgetThresholds = []lease.BudgetThreshold{budget(50, alert)}
				l.DurationThresholds = []lease.DurationThreshold{hoursLeft(20.5, alert)}
			}), cost: 55,
			want: Decision{Events: []events.Event{
				events.LeaseBudgetThresholdAlert{LeaseID: key, AccountID: acct,
					Budget: ptr(100.0), TotalSpend: 55, BudgetThresholdTriggered: 50, ActionRequested: alert},
				events.LeaseDurationThresholdAlert{LeaseID: key, AccountID: acct,
					TriggeredDurationThreshold: 21, LeaseDurationInHours: ptr(120), ActionRequested: alert},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(tc.lease, tc.cost, now)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
			for _, e := range got.Events {
				if err := e.Validate(); err != nil {
					t.Errorf("%s is not a valid event: %v", e.DetailType(), err)
				}
			}
		})
	}
}

// The once-only end request must not outlive the limits it was about: a
// manager's patch of the budget or the expiration lets the monitor ask
// again when the new limit is reached; other patches do not.
func TestPatchedLimitsAreJudgedAfresh(t *testing.T) {
	asked := running(func(l *lease.Lease) {
		l.ExpirationDate = ptr(now.Add(-time.Hour))
		l.EndRequested, l.EndRequestedAt = lease.Expired, now.Add(-time.Hour)
	})
	later := now.Add(24 * time.Hour)
	tests := []struct {
		name     string
		patch    lease.Patch
		at       time.Time
		wantEnd  lease.Status
		wantKept bool
	}{
		{"an extended lease that expires again is asked to end again", lease.Patch{ExpirationDate: &later},
			later.Add(time.Hour), lease.Expired, false},
		{
			"a new budget that is reached is asked to end for its budget",
			lease.Patch{MaxSpend: ptr(30.0), ClearExpirationDate: true},
			now,
			lease.BudgetExceeded,
			false,
		},
		{
			"new thresholds alone keep the end request and ask nothing",
			lease.Patch{BudgetThresholds: &[]lease.BudgetThreshold{budget(10, lease.ActionAlert)}},
			now,
			"",
			true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			patched, err := asked.Apply(tc.patch, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if kept := patched.EndRequested != ""; kept != tc.wantKept {
				t.Errorf("end request kept = %v, want %v", kept, tc.wantKept)
			}
			if got := Evaluate(patched, 40, tc.at).End; got != tc.wantEnd {
				t.Errorf("end asked %q, want %q", got, tc.wantEnd)
			}
		})
	}
}
