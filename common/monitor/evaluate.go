// Package monitor is the hourly lease monitor. It reads the Active and
// Frozen leases through the status index, fetches their cost from Cost
// Explorer (in the management account, through the role chain), decides
// per lease which threshold, freeze, budget and expiry events are due
// (Evaluate), and writes only the cost fields back, with the events in the
// outbox of the same write. It also expires requests left pending approval
// too long and publishes the pool's available and quarantined account
// counts as metrics.
package monitor

import (
	"time"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
)

// Decision is what one lease's check asks for.
type Decision struct {
	// Events are the events due, in the order upstream emits them.
	Events []events.Event
	// End is the terminal status the events ask the lifecycle manager for
	// (lease.BudgetExceeded or lease.Expired), or empty.
	End lease.Status
}

// Evaluate decides the events due for lease l, whose cost is now cost, at
// now. It follows upstream's order (determineLeaseEvents):
//
//  1. spend at or above the maximum: only LeaseBudgetExceeded;
//  2. past the expiration date: only LeaseExpired;
//  3. otherwise the budget thresholds crossed since the stored cost
//     (stored < threshold ≤ cost) and the duration thresholds crossed since
//     the last check (last check < expiration − hours remaining ≤ now)
//     give at most one LeaseFreezingThresholdAlert (a budget freeze before
//     a duration freeze), the largest crossed non-freeze budget threshold
//     as a LeaseBudgetThresholdAlert and the crossed non-freeze duration
//     threshold with the fewest hours left as a LeaseDurationThresholdAlert.
//
// Two flaws of upstream are fixed. The end events go out once: a lease
// whose EndRequested is set gets nothing from steps 1 and 2 (and, as
// upstream, nothing else either while it is over budget or expired). A
// Frozen lease is never sent a freeze alert (the lifecycle manager rejects
// freezing a frozen lease); its other alerts still go out.
func Evaluate(l lease.Lease, cost float64, now time.Time) Decision {
	if l.MaxSpend != nil && cost >= *l.MaxSpend {
		if l.EndRequested != "" {
			return Decision{}
		}
		return Decision{End: lease.BudgetExceeded, Events: []events.Event{events.LeaseBudgetExceeded{
			LeaseID: l.Key, AccountID: l.AccountID, Budget: *l.MaxSpend, TotalSpend: cost}}}
	}
	if l.ExpirationDate != nil && l.ExpirationDate.Before(now) {
		if l.EndRequested != "" {
			return Decision{}
		}
		return Decision{End: lease.Expired, Events: []events.Event{events.LeaseExpired{
			LeaseID: l.Key, AccountID: l.AccountID, LeaseExpirationDate: *l.ExpirationDate}}}
	}

	budget := crossedBudget(l, cost)
	duration := crossedDuration(l, now)
	var out []events.Event
	if l.Status == lease.Active {
		if f, ok := freeze(l, cost, budget, duration); ok {
			out = append(out, f)
		}
	}
	if th, ok := largestAlert(budget); ok {
		out = append(out, events.LeaseBudgetThresholdAlert{LeaseID: l.Key, AccountID: l.AccountID,
			Budget: l.MaxSpend, TotalSpend: cost, BudgetThresholdTriggered: th.DollarsSpent,
			ActionRequested: th.Action})
	}
	if th, ok := smallestAlert(duration); ok {
		out = append(out, events.LeaseDurationThresholdAlert{LeaseID: l.Key, AccountID: l.AccountID,
			TriggeredDurationThreshold: thresholdHours(th.HoursRemaining), LeaseDurationInHours: l.DurationHours(),
			ActionRequested: th.Action})
	}
	return Decision{Events: out}
}

// crossedBudget returns the budget thresholds the spend passed since the
// stored cost.
func crossedBudget(l lease.Lease, cost float64) []lease.BudgetThreshold {
	var out []lease.BudgetThreshold
	for _, th := range l.BudgetThresholds {
		if l.TotalCostAccrued < th.DollarsSpent && th.DollarsSpent <= cost {
			out = append(out, th)
		}
	}
	return out
}

// crossedDuration returns the duration thresholds whose moment
// (expiration − hours remaining) fell in (last check, now]. A lease never
// checked counts from its start.
func crossedDuration(l lease.Lease, now time.Time) []lease.DurationThreshold {
	if l.ExpirationDate == nil {
		return nil
	}
	last := l.LastCheckedDate
	if last.IsZero() {
		last = l.StartDate
	}
	var out []lease.DurationThreshold
	for _, th := range l.DurationThresholds {
		at := l.ExpirationDate.Add(-time.Duration(th.HoursRemaining * float64(time.Hour)))
		if last.Before(at) && !at.After(now) {
			out = append(out, th)
		}
	}
	return out
}

// freeze returns the one freeze alert due: a crossed budget freeze
// threshold (the largest) before a crossed duration one (the smallest).
func freeze(
	l lease.Lease,
	cost float64,
	budget []lease.BudgetThreshold,
	duration []lease.DurationThreshold,
) (events.Event, bool) {
	var bt *lease.BudgetThreshold
	for i := range budget {
		if budget[i].Action == lease.ActionFreeze && (bt == nil || budget[i].DollarsSpent > bt.DollarsSpent) {
			bt = &budget[i]
		}
	}
	if bt != nil {
		return events.LeaseFreezingThresholdAlert{LeaseID: l.Key, AccountID: l.AccountID,
			Reason: events.FrozenByBudget(bt.DollarsSpent, l.MaxSpend, cost)}, true
	}
	var dt *lease.DurationThreshold
	for i := range duration {
		if duration[i].Action == lease.ActionFreeze && (dt == nil || duration[i].HoursRemaining < dt.HoursRemaining) {
			dt = &duration[i]
		}
	}
	if dt != nil {
		return events.LeaseFreezingThresholdAlert{LeaseID: l.Key, AccountID: l.AccountID,
			Reason: events.FrozenByDuration(thresholdHours(dt.HoursRemaining), l.DurationHours())}, true
	}
	return nil, false
}

// largestAlert is the largest crossed budget threshold whose action is
// not a freeze.
func largestAlert(crossed []lease.BudgetThreshold) (lease.BudgetThreshold, bool) {
	var best lease.BudgetThreshold
	found := false
	for _, th := range crossed {
		if th.Action != lease.ActionFreeze && (!found || th.DollarsSpent > best.DollarsSpent) {
			best, found = th, true
		}
	}
	return best, found
}

// smallestAlert is the crossed duration threshold with the fewest hours
// remaining whose action is not a freeze.
func smallestAlert(crossed []lease.DurationThreshold) (lease.DurationThreshold, bool) {
	var best lease.DurationThreshold
	found := false
	for _, th := range crossed {
		if th.Action != lease.ActionFreeze && (!found || th.HoursRemaining < best.HoursRemaining) {
			best, found = th, true
		}
	}
	return best, found
}

// thresholdHours is a threshold's hours remaining as the events carry
// them (lease.WholeHours). Thresholds are positive (the terms' validation),
// so it is never nil for one; 1 keeps an event valid regardless.
func thresholdHours(h float64) int {
	if n := lease.WholeHours(h); n != nil {
		return *n
	}
	return 1
}
