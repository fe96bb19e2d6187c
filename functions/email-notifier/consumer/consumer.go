// Package consumer is the email notifier's SQS handler: each message is an
// EventBridge event; the messages whose email could not be sent for a
// reason a retry can fix are reported as batch item failures.
package consumer

import (
	"context"
	"log/slog"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/notify"
)

// Notifier sends the email of one event (notify.Notifier).
type Notifier interface {
	Settings(ctx context.Context) (notify.Settings, error)
	Notify(ctx context.Context, s notify.Settings, env events.Envelope, ev events.Event) error
}

// Handler consumes the email queue.
type Handler struct {
	Notifier Notifier
}

// Handle processes a batch. The settings are read once per batch: when the
// configuration cannot be read every message is retried; when no sender
// is configured one warning is logged and every message is acknowledged.
// A message that is not a platform event is logged and dropped, since
// delivering it again cannot fix it. Events are independent of each other,
// so their order does not matter.
func (h *Handler) Handle(ctx context.Context, e awsevents.SQSEvent) (awsevents.SQSEventResponse, error) {
	var resp awsevents.SQSEventResponse
	if len(e.Records) == 0 {
		return resp, nil
	}
	s, err := h.Notifier.Settings(ctx)
	if err != nil {
		slog.ErrorContext(
			ctx,
			"email settings unavailable; the batch will be delivered again",
			"messages",
			len(e.Records),
			"error",
			err,
		)
		for _, r := range e.Records {
			resp.BatchItemFailures = append(
				resp.BatchItemFailures,
				awsevents.SQSBatchItemFailure{ItemIdentifier: r.MessageId},
			)
		}
		return resp, nil
	}
	if !s.Enabled() {
		slog.WarnContext(
			ctx,
			"email is off (notification.emailFrom is empty); messages acknowledged without sending",
			"messages",
			len(e.Records),
		)
		return resp, nil
	}
	for _, r := range e.Records {
		env, ev, err := events.ParseEnvelope([]byte(r.Body))
		if err != nil {
			slog.ErrorContext(
				ctx,
				"message dropped: not a valid platform event",
				"message_id",
				r.MessageId,
				"error",
				err,
			)
			continue
		}
		if err := h.Notifier.Notify(ctx, s, env, ev); err != nil {
			k, _ := events.LeaseOf(ev)
			leaseUUID := k.UUID
			slog.ErrorContext(ctx, "email failed; the event will be delivered again", "message_id", r.MessageId,
				"event_id", env.ID, "detail_type", env.DetailType, "lease_id", leaseUUID,
				"account_id", events.AccountOf(ev), "error", err)
			resp.BatchItemFailures = append(
				resp.BatchItemFailures,
				awsevents.SQSBatchItemFailure{ItemIdentifier: r.MessageId},
			)
		}
	}
	return resp, nil
}
