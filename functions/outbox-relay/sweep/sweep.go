// Package sweep drains the event outbox on a schedule.
package sweep

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/isb-go/isb/common/outbox"
)

// Sweep bounds: records younger than MinAge may still be in a Deliver in
// flight; Batch records are swept per round, and rounds repeat until the
// outbox is empty or the invocation is close to its deadline.
const (
	MinAge = 30 * time.Second
	Batch  = 100
)

// Sweeper drains the outbox.
type Sweeper struct {
	Relay *outbox.Relay
	Now   func() time.Time
}

// Handle runs sweep rounds until nothing old is left. A failed publish is
// returned, so the invocation counts as failed and the next run retries.
func (s *Sweeper) Handle(ctx context.Context) error {
	total := 0
	for {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < 10*time.Second {
			break
		}
		res, err := s.Relay.Sweep(ctx, s.Now(), MinAge, Batch)
		total += res.Delivered
		if err != nil {
			return fmt.Errorf("sweep outbox (%d delivered before the failure): %w", total, err)
		}
		if res.Found < Batch {
			break
		}
	}
	if total > 0 {
		slog.InfoContext(ctx, "outbox swept", "delivered", total)
	}
	return nil
}
