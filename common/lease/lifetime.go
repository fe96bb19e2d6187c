package lease

import (
	"fmt"
	"math"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/record"
)

// Start returns l granted an account at now: Active, approved by
// approvedBy, started and last checked at now, and expiring its duration
// after now (never, without a duration).
func (l Lease) Start(approvedBy string, now time.Time) (Lease, error) {
	active, err := l.Transition(Active, now)
	if err != nil {
		return l, err
	}
	active.ApprovedBy = approvedBy
	active.StartDate = now
	active.LastCheckedDate = now
	active.ExpirationDate = active.Terms.Expiry(now)
	active.armHeartbeat(now)
	return active, nil
}

// Expiry is when a lease started at start runs out: start plus the
// duration; nil without a duration.
func (t Terms) Expiry(start time.Time) *time.Time {
	if t.LeaseDurationInHours == nil {
		return nil
	}
	exp := start.Add(time.Duration(*t.LeaseDurationInHours * float64(time.Hour)))
	return &exp
}

// End returns l ended in the terminal status to at now, with its TTL:
// the table drops the record keep after it ended (the global
// configuration's leases.ttl). A status that is not terminal is a
// conflict, as is one the transition table forbids.
func (l Lease) End(to Status, now time.Time, keep time.Duration) (Lease, error) {
	if !to.Terminal() {
		return l, &fault.ConflictError{Entity: "lease", Key: l.Key.String(),
			Reason: fmt.Sprintf("%s does not end a lease", to)}
	}
	ended, err := l.Transition(to, now)
	if err != nil {
		return l, err
	}
	ended.TTL = now.Add(keep).Unix()
	return ended, nil
}

// WholeHours is the one rounding of hours to the whole hours events
// carry: to the nearest hour, a half hour up, and at least 1, since a
// positive duration is never announced as 0 hours (the events refuse 0).
// It is nil for no hours, zero, negative or not a number.
func WholeHours(h float64) *int {
	if !(h > 0) || math.IsInf(h, 1) {
		return nil
	}
	n := max(1, int(math.Floor(h+0.5)))
	return &n
}

// WholeHoursOf is WholeHours of a duration that may be absent.
func WholeHoursOf(h *float64) *int {
	if h == nil {
		return nil
	}
	return WholeHours(*h)
}

// DurationHours is the lease's length, expiration minus start, in whole
// hours (WholeHours); nil when it has no expiration or no start.
func (l Lease) DurationHours() *int {
	if l.ExpirationDate == nil || l.StartDate.IsZero() {
		return nil
	}
	return WholeHours(l.ExpirationDate.Sub(l.StartDate).Hours())
}

// CostRecord is what one monitoring pass learned about a lease: the cost
// accrued, when it was checked, the terminal status the monitor asks for
// (empty: none) and the records of the events announcing it, committed
// with the write.
type CostRecord struct {
	Read      Lease
	Cost      float64
	CheckedAt time.Time
	End       Status
	Events    []record.Record
}
