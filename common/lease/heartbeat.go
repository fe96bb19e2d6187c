package lease

import (
	"time"

	"github.com/isb-go/isb/common/fault"
)

// MaxHeartbeatTimeoutMinutes caps every heartbeat timeout, whatever a
// template allows: a day. A holder silent for longer is not a liveness
// signal any more, and a lease without a heartbeat is the way to hold an
// account for long.
const MaxHeartbeatTimeoutMinutes = 24 * 60

// Heartbeat is a template's heartbeat settings: the timeout a request gets
// when it asks for none, and the longest a request may ask for. Zero means
// unset: without a default a lease beats only when its request asks; without
// a maximum MaxHeartbeatTimeoutMinutes bounds the request.
type Heartbeat struct {
	DefaultMinutes int
	MaxMinutes     int
}

// Validate checks a template's heartbeat settings; fields are named as the
// template's JSON names them.
func (h Heartbeat) Validate() error {
	var f fault.Fields
	checkMinutes(&f, "heartbeatTimeoutMinutes", h.DefaultMinutes)
	checkMinutes(&f, "maxHeartbeatTimeoutMinutes", h.MaxMinutes)
	if h.DefaultMinutes > 0 && h.MaxMinutes > 0 && h.DefaultMinutes > h.MaxMinutes {
		f.Add("heartbeatTimeoutMinutes", "must be at most maxHeartbeatTimeoutMinutes (%d)", h.MaxMinutes)
	}
	return f.Err()
}

func checkMinutes(f *fault.Fields, field string, m int) {
	if m < 0 || m > MaxHeartbeatTimeoutMinutes {
		f.Add(field, "must be 1 to %d minutes", MaxHeartbeatTimeoutMinutes)
	}
}

// Timeout is the heartbeat timeout, in minutes, of a lease requested with
// asked minutes (nil: the template's default) under these settings; 0 means
// the lease does not beat. A request above the maximum is refused naming
// heartbeatTimeoutMinutes.
func (h Heartbeat) Timeout(asked *int) (int, error) {
	if asked == nil {
		return h.DefaultMinutes, nil
	}
	limit := MaxHeartbeatTimeoutMinutes
	if h.MaxMinutes > 0 {
		limit = h.MaxMinutes
	}
	if *asked < 1 || *asked > limit {
		var f fault.Fields
		f.Add("heartbeatTimeoutMinutes", "must be 1 to %d minutes (the template's maximum)", limit)
		return 0, f.Err()
	}
	return *asked, nil
}

// CanBeat reports whether a lease in s takes heartbeats: every status a
// lease is still alive in (waiting, pending, provisioning, active, frozen).
func (s Status) CanBeat() bool { return s.Valid() && !s.Terminal() }

// Beats reports whether the lease has a heartbeat.
func (l Lease) Beats() bool { return l.HeartbeatTimeoutMinutes > 0 }

// timeout is the lease's heartbeat timeout as a duration.
func (l Lease) timeout() time.Duration { return time.Duration(l.HeartbeatTimeoutMinutes) * time.Minute }

// Beat returns l heard from at now: its heartbeat deadline moved to now
// plus its timeout. A lease without a heartbeat is a field error, one that
// has ended a conflict naming its status; a deadline already later (a
// concurrent beat) is kept, since a deadline only moves forward.
func (l Lease) Beat(now time.Time) (Lease, error) {
	if !l.Beats() {
		var f fault.Fields
		f.Add("heartbeatTimeoutMinutes", "this lease was requested without a heartbeat")
		return l, f.Err()
	}
	if !l.Status.CanBeat() {
		return l, &fault.ConflictError{Entity: "lease", Key: l.Key.String(),
			Reason: "it has ended (" + string(l.Status) + ")"}
	}
	d := now.Add(l.timeout())
	if l.HeartbeatDeadline == nil || d.After(*l.HeartbeatDeadline) {
		l.HeartbeatDeadline = &d
	}
	return l, nil
}

// Silent reports whether the lease beats, is still alive and missed its
// heartbeat deadline at now.
func (l Lease) Silent(now time.Time) bool {
	return l.Beats() && l.Status.CanBeat() && l.HeartbeatDeadline != nil && now.After(*l.HeartbeatDeadline)
}

// armHeartbeat sets the deadline of a lease that beats to now plus its
// timeout: at request time and again at grant, so the holder gets a whole
// timeout from the moment it has an account.
func (l *Lease) armHeartbeat(now time.Time) {
	if l.Beats() {
		d := now.Add(l.timeout())
		l.HeartbeatDeadline = &d
	}
}

// ArmHeartbeat is armHeartbeat for a new lease request.
func (l Lease) ArmHeartbeat(now time.Time) Lease {
	l.armHeartbeat(now)
	return l
}
