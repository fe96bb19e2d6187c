package ddbstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Backoff bounds how long a write that DynamoDB refused for a
// TransactionConflict is tried again. DynamoDB cancels a transaction that
// touches an item another transaction is writing (two grants for the same
// user's quota item or the same account); nothing was written, and the
// same write usually succeeds a few milliseconds later.
type Backoff struct {
	// Base bounds the first delay; each retry doubles the bound, up to Max.
	// Every delay is drawn at random below its bound (full jitter), so
	// writers that collided do not collide again in step.
	Base, Max time.Duration
	// Budget is the longest one call keeps retrying. A context deadline
	// shortens it, keeping Reserve to answer before the deadline.
	Budget, Reserve time.Duration
}

// DefaultBackoff fits the API functions' 29-second timeout: at most 10
// seconds of retries, and never closer than 2 seconds to the deadline.
var DefaultBackoff = Backoff{
	Base:    10 * time.Millisecond,
	Max:     500 * time.Millisecond,
	Budget:  10 * time.Second,
	Reserve: 2 * time.Second,
}

// WithBackoff returns a store that retries conflicts within b.
func (s *Store) WithBackoff(b Backoff) *Store {
	c := *s
	c.backoff = b
	return &c
}

// retrier paces the retries of one call.
type retrier struct {
	b     Backoff
	until time.Time
	n     int
}

func (s *Store) retrier(ctx context.Context) *retrier {
	b := s.backoff
	if b == (Backoff{}) {
		b = DefaultBackoff
	}
	until := time.Now().Add(b.Budget)
	if d, ok := ctx.Deadline(); ok && d.Add(-b.Reserve).Before(until) {
		until = d.Add(-b.Reserve)
	}
	return &retrier{b: b, until: until}
}

// bound is the upper bound of the n-th delay (n from 0).
func (b Backoff) bound(n int) time.Duration {
	d := b.Base
	for i := 0; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// wait sleeps before the next try and reports whether there is one: false
// when the delay would end past the budget or the context ends.
func (r *retrier) wait(ctx context.Context) bool {
	d := rand.N(r.b.bound(r.n) + 1)
	if time.Now().Add(d).After(r.until) {
		return false
	}
	r.n++
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// conflicted reports whether DynamoDB refused a write only because other
// transactions held some of its items: a transaction cancelled with
// TransactionConflict and no other reason, or a single write refused with
// TransactionConflictException. Nothing was written; the same write may be
// tried again as it is.
func conflicted(err error) bool {
	var single *types.TransactionConflictException
	if errors.As(err, &single) {
		return true
	}
	reasons := cancelReasons(err)
	seen := false
	for _, r := range reasons {
		switch r {
		case "TransactionConflict":
			seen = true
		case "None", "":
		default:
			return false
		}
	}
	return seen
}
