// Package consumer is the lifecycle manager's SQS handler: it decodes each
// message into a platform event, hands the events of one account to the
// service in order and those of different accounts in parallel, and
// reports the messages to deliver again as batch item failures.
package consumer

import (
	"context"
	"log/slog"
	"sync"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/events"
)

// Service handles one event.
type Service interface {
	Handle(ctx context.Context, ev events.Event) error
}

// DefaultParallel bounds how many accounts are worked on at once.
const DefaultParallel = 8

// Handler consumes the lifecycle queue.
type Handler struct {
	Service Service
	// Parallel bounds the accounts worked on at once (DefaultParallel when 0).
	Parallel int
}

type message struct {
	id string
	ev events.Event
}

// Handle processes a batch. A message that cannot be parsed is logged and
// dropped: delivering it again cannot fix it. When a message of an account
// fails, it and the later messages of the same account are reported as
// failures, so the account's events are retried in their order; other
// accounts go on.
func (h *Handler) Handle(ctx context.Context, e awsevents.SQSEvent) (awsevents.SQSEventResponse, error) {
	var order []string
	groups := map[string][]message{}
	for _, r := range e.Records {
		env, ev, err := events.ParseEnvelope([]byte(r.Body))
		if err != nil {
			slog.ErrorContext(ctx, "message dropped: not a valid platform event", "message_id", r.MessageId, "error", err)
			continue
		}
		key := events.AccountOf(ev)
		if key == "" {
			key = "event:" + env.ID
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], message{id: r.MessageId, ev: ev})
	}
	parallel := h.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	var (
		mu     sync.Mutex
		failed []awsevents.SQSBatchItemFailure
		wg     sync.WaitGroup
		slots  = make(chan struct{}, parallel)
	)
	for _, key := range order {
		msgs := groups[key]
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			for i, m := range msgs {
				err := h.Service.Handle(ctx, m.ev)
				if err == nil {
					continue
				}
				slog.ErrorContext(ctx, "event failed; it will be delivered again", "message_id", m.id,
					"detail_type", m.ev.DetailType(), "account_id", events.AccountOf(m.ev), "error", err)
				mu.Lock()
				for _, rest := range msgs[i:] {
					failed = append(failed, awsevents.SQSBatchItemFailure{ItemIdentifier: rest.id})
				}
				mu.Unlock()
				return
			}
		}()
	}
	wg.Wait()
	return awsevents.SQSEventResponse{BatchItemFailures: failed}, nil
}
