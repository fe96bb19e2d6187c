package account

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/record"
)

// GrantRequest asks for an available account for a pending lease.
type GrantRequest struct {
	// Lease is the pending lease as read; the grant is conditional on its
	// version and status.
	Lease      lease.Lease
	ApprovedBy string
	Now        time.Time
	// Cooldown prefers accounts whose last cleanup finished longer ago
	// than this (leases.accountReuseCooldownHours); fresher accounts are
	// used only when no other is left (CandidateWindows).
	Cooldown time.Duration
	// Announce, when set, returns the records of the events that announce
	// the grant; they are written to the outbox in the grant's
	// transaction.
	Announce func(lease.Lease, Account) ([]record.Record, error)
	// New, when set, means Lease is a pending lease that is not stored yet
	// (a request that needs no approval): the grant's transaction creates
	// it directly in Active and raises the user's lease count on condition
	// that it is below MaxPerUser (0 means no limit). Nothing at all is
	// written when the pool is empty or the user is at the limit
	// (*fault.LimitError).
	New        bool
	MaxPerUser int
}

// Granted is the outcome of a grant.
type Granted struct {
	Lease   lease.Lease
	Account Account
	// Attempts counts the transactions tried (1 when nobody raced us);
	// CandidatesRead counts the index entries read.
	Attempts, CandidatesRead int
}

// Window is a range of the time an Available account became available
// (its last cleanup finished): after After (when set) and at or before
// Until (when set).
type Window struct {
	After, Until time.Time
}

// CandidateWindows is the order in which available accounts are offered
// to a grant: first those cleaned at least cooldown before now, then the
// fresher ones; within a window the longest available first. Upstream
// prefers accounts cleaned over 24 hours ago so that a new lessee's cost
// data is not mixed with the last one's.
func CandidateWindows(now time.Time, cooldown time.Duration) []Window {
	cut := now.Add(-cooldown)
	return []Window{{Until: cut}, {After: cut}}
}

// PickCandidate returns one of candidates that skip does not exclude, at
// random, so that concurrent grants reading the same oldest accounts
// spread over them; found is false when none is left.
func PickCandidate(candidates []Account, skip func(id string) bool) (a Account, found bool) {
	var left []Account
	for _, c := range candidates {
		if !skip(c.ID) {
			left = append(left, c)
		}
	}
	if len(left) == 0 {
		return a, false
	}
	return left[rand.IntN(len(left))], true
}

// GrantTo returns a granted to the lease k at now: Active, held by k. An
// account that is no longer Available cannot be granted (a conflict).
func (a Account) GrantTo(k lease.Key, now time.Time) (Account, error) {
	if a.Status != Available {
		return a, &fault.ConflictError{Entity: "account", Key: a.ID,
			Reason: fmt.Sprintf("only an Available account can be granted; this one is %s", a.Status)}
	}
	next, err := a.Move(Active, now)
	if err != nil {
		return a, err
	}
	next.Lease = &k
	return next, nil
}
