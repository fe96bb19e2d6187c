// Package outbox delivers the events the stores wrote into the outbox in
// the same transaction as the changes they announce. Deliver sends fresh
// records right after a commit; Sweep re-sends what an earlier Deliver
// could not (a crash, a throttled bus). Consumers are idempotent, so a
// record delivered twice does no harm; a record is never lost.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/isb-go/isb/common/events"
)

// Publisher puts records on the bus and reports which ones it published.
type Publisher interface {
	Publish(ctx context.Context, recs []events.Record) (published []string, err error)
}

// Store reads and clears the outbox.
type Store interface {
	Pending(ctx context.Context, cutoff time.Time, limit int) ([]events.Record, error)
	Remove(ctx context.Context, ids ...string) error
}

// Relay moves records from the outbox to the bus.
type Relay struct {
	store Store
	pub   Publisher
}

// New returns a relay.
func New(store Store, pub Publisher) *Relay { return &Relay{store: store, pub: pub} }

// Deliver publishes records that were just committed and removes the ones
// the bus accepted. A failure is logged and returned, but the records stay
// in the outbox for Sweep: the change they announce is already durable.
func (r *Relay) Deliver(ctx context.Context, recs []events.Record) error {
	if len(recs) == 0 {
		return nil
	}
	published, pubErr := r.pub.Publish(ctx, recs)
	if err := r.store.Remove(ctx, published...); err != nil {
		return errors.Join(pubErr, fmt.Errorf("clear delivered records: %w", err))
	}
	if pubErr != nil {
		slog.WarnContext(ctx, "events left in the outbox for the sweeper", "error", pubErr)
	}
	return pubErr
}

// SweepResult says what one sweep did.
type SweepResult struct {
	Found, Delivered int
}

// Sweep delivers records older than minAge that are still in the outbox,
// up to limit of them. minAge keeps it from racing a Deliver in flight.
func (r *Relay) Sweep(ctx context.Context, now time.Time, minAge time.Duration, limit int) (SweepResult, error) {
	recs, err := r.store.Pending(ctx, now.Add(-minAge), limit)
	if err != nil {
		return SweepResult{}, err
	}
	res := SweepResult{Found: len(recs)}
	if len(recs) == 0 {
		return res, nil
	}
	published, pubErr := r.pub.Publish(ctx, recs)
	res.Delivered = len(published)
	if err := r.store.Remove(ctx, published...); err != nil {
		return res, errors.Join(pubErr, fmt.Errorf("clear delivered records: %w", err))
	}
	return res, pubErr
}
