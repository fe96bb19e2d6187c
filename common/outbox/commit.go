package outbox

import (
	"context"
	"time"

	"github.com/isb-go/isb/common/events"
)

// Deliverer publishes records right after their commit (Relay.Deliver).
type Deliverer interface {
	Deliver(ctx context.Context, recs []events.Record) error
}

// Write is one store write: it commits its rows and recs, the outbox
// records of the events announcing them, in one transaction (every store
// write takes records). It returns the records it decided itself, if any:
// those a grant made for the account it picked, or those of the leases a
// batch of cost records actually wrote.
type Write func(recs []events.Record) (own []events.Record, err error)

// Commit is the one way a change is committed with the events announcing
// it: evs become outbox records stamped at, write commits them with its
// rows in one transaction, and once it has, d delivers every record
// committed (evs' and write's own) and clears them from the outbox. A
// change that write refuses writes no event and delivers nothing. A
// delivery that fails is not the writer's error: the change and its
// records are durable, and the relay's Sweep publishes them later
// (Relay.Deliver has logged it).
func Commit(ctx context.Context, d Deliverer, at time.Time, write Write, evs ...events.Event) error {
	recs, err := events.Records(at, evs...)
	if err != nil {
		return err
	}
	own, err := write(recs)
	if err != nil {
		return err
	}
	if all := append(recs, own...); len(all) > 0 {
		_ = d.Deliver(ctx, all)
	}
	return nil
}
