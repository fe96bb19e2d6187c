// Package bus publishes event records on the platform's EventBridge bus:
// at most ten entries per PutEvents call, failed entries retried, and the
// records that still failed reported back by id.
package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/isb-go/isb/common/events"
)

// maxEntries is PutEvents' limit on entries per call.
const maxEntries = 10

// EventBridge is the one call the publisher makes.
type EventBridge interface {
	PutEvents(
		ctx context.Context,
		in *eventbridge.PutEventsInput,
		opts ...func(*eventbridge.Options),
	) (*eventbridge.PutEventsOutput, error)
}

// Publisher puts records on one bus.
type Publisher struct {
	eb  EventBridge
	bus string
	// Attempts is how many times a failed entry is tried in all.
	Attempts int
	// Backoff is the wait before the first retry; it doubles after each.
	Backoff time.Duration
	// Calls counts PutEvents calls (for benchmarks and logs).
	Calls int
}

// New returns a publisher for the named bus.
func New(eb EventBridge, busName string) *Publisher {
	return &Publisher{eb: eb, bus: busName, Attempts: 3, Backoff: 100 * time.Millisecond}
}

// Error lists the records that could not be published.
type Error struct {
	Failed []events.Record
	Reason string
}

func (e *Error) Error() string {
	ids := make([]string, len(e.Failed))
	for i, r := range e.Failed {
		ids[i] = r.DetailType + " " + r.ID
	}
	return fmt.Sprintf("publish %d events (%s): %s", len(e.Failed), strings.Join(ids, ", "), e.Reason)
}

// Publish puts every record on the bus, in batches of ten, retrying the
// entries EventBridge rejected. It returns the ids of the records that were
// published, and an *Error naming the rest.
func (p *Publisher) Publish(ctx context.Context, recs []events.Record) (published []string, err error) {
	pending := recs
	reason := ""
	wait := p.Backoff
	for attempt := 1; attempt <= max(p.Attempts, 1) && len(pending) > 0; attempt++ {
		if attempt > 1 {
			select {
			case <-ctx.Done():
				return published, &Error{Failed: pending, Reason: ctx.Err().Error()}
			case <-time.After(wait):
			}
			wait *= 2
		}
		var failed []events.Record
		for start := 0; start < len(pending); start += maxEntries {
			batch := pending[start:min(start+maxEntries, len(pending))]
			ok, bad, why := p.put(ctx, batch)
			published = append(published, ok...)
			failed = append(failed, bad...)
			if why != "" {
				reason = why
			}
		}
		pending = failed
	}
	if len(pending) > 0 {
		return published, &Error{Failed: pending, Reason: reason}
	}
	return published, nil
}

// put sends one batch and splits it into published ids and failed records.
func (p *Publisher) put(ctx context.Context, batch []events.Record) ([]string, []events.Record, string) {
	entries := make([]types.PutEventsRequestEntry, len(batch))
	for i, r := range batch {
		entries[i] = types.PutEventsRequestEntry{
			EventBusName: aws.String(p.bus), Source: aws.String(r.Source),
			DetailType: aws.String(r.DetailType), Detail: aws.String(r.Detail), Time: aws.Time(r.Time),
		}
	}
	p.Calls++
	out, err := p.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		var cause interface{ ErrorCode() string }
		if errors.As(err, &cause) {
			return nil, batch, cause.ErrorCode()
		}
		return nil, batch, err.Error()
	}
	var ok []string
	var bad []events.Record
	reason := ""
	for i, r := range batch {
		if i < len(out.Entries) && out.Entries[i].ErrorCode == nil && out.Entries[i].EventId != nil {
			ok = append(ok, r.ID)
			continue
		}
		bad = append(bad, r)
		if i < len(out.Entries) && out.Entries[i].ErrorCode != nil {
			reason = aws.ToString(out.Entries[i].ErrorCode) + ": " + aws.ToString(out.Entries[i].ErrorMessage)
		}
	}
	return ok, bad, reason
}
