package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/events"
)

// DeliveryTTL is how long a sent chunk is remembered. EventBridge retries
// for at most a day and SQS keeps a message for at most 14 days; the outbox
// re-publishes within minutes, so a week covers every duplicate seen.
const DeliveryTTL = 7 * 24 * time.Hour

// ConfigSource gives the global configuration (appconfig.Source).
type ConfigSource interface {
	Global(ctx context.Context) (config.Global, error)
}

// Recipients gives the staff addresses (Directory).
type Recipients interface {
	Admins(ctx context.Context) ([]string, error)
	Managers(ctx context.Context) ([]string, error)
}

// Deliveries remembers sent chunks (ddbstore.DeliveryStore).
type Deliveries interface {
	Sent(ctx context.Context, key string) (bool, error)
	MarkSent(ctx context.Context, key string, ttl time.Time) error
}

// Settings is the part of the global configuration email needs, read once
// per batch.
type Settings struct {
	// From is the sender; empty means email is off.
	From string
	// WebAppURL is the base of links; empty leaves links out.
	WebAppURL string
}

// Enabled reports whether email is on.
func (s Settings) Enabled() bool { return s.From != "" }

// Notifier turns an event into email: it picks the recipients by the
// rules table, renders the event's template, splits the recipients into
// messages of at most MaxDestinations and sends each message once.
//
// Delivery is at least once. Each message (chunk) is checked against the
// Deliveries table before it is sent and marked after, so an event
// delivered twice (the outbox re-publishing a record, EventBridge or SQS
// redelivering) sends nothing the second time. A crash or an error between
// the send and the mark sends that one message again on the retry; no
// message is ever skipped because it was marked before it was sent. Two
// copies of an event handled at the same moment by two invocations can
// likewise both send; the chunk index in the key means a change of the
// groups between two deliveries can shift recipients between chunks.
type Notifier struct {
	Config     ConfigSource
	Recipients Recipients
	Deliveries Deliveries
	Sender     *Sender
	// Now of nil means time.Now.
	Now func() time.Time
}

// Settings reads the email settings from the global configuration.
func (n *Notifier) Settings(ctx context.Context) (Settings, error) {
	g, err := n.Config.Global(ctx)
	if err != nil {
		return Settings{}, fmt.Errorf("read the global configuration: %w", err)
	}
	return Settings{From: g.Notification.EmailFrom, WebAppURL: g.Auth.WebAppURL}, nil
}

// Notify sends the email of one delivered event. It returns an error only
// when the event must be delivered again: the configuration, the directory
// or the Deliveries table could not be read, or SES refused the sending
// account. A recipient SES refuses is logged and skipped. With email off
// it does nothing.
func (n *Notifier) Notify(ctx context.Context, s Settings, env events.Envelope, ev events.Event) error {
	if !s.Enabled() {
		return nil
	}
	k, _ := events.LeaseOf(ev)
	user, leaseUUID := k.UserEmail, k.UUID
	attrs := []any{"event_id", env.ID, "detail_type", ev.DetailType(), "lease_id", leaseUUID, "account_id", events.AccountOf(ev)}
	aud, ok := AudienceOf(ev)
	if !ok {
		slog.InfoContext(ctx, "event sends no email", attrs...)
		return nil
	}
	var to, bcc []string
	if aud.User {
		if user == "" {
			return fmt.Errorf("%s %s: no lessee email to write to", ev.DetailType(), env.ID)
		}
		to = append(to, user)
	}
	if aud.Admins {
		admins, err := n.Recipients.Admins(ctx)
		if err != nil {
			return fmt.Errorf("%s %s: %w", ev.DetailType(), env.ID, err)
		}
		bcc = append(bcc, admins...)
	}
	if aud.Managers {
		managers, err := n.Recipients.Managers(ctx)
		if err != nil {
			return fmt.Errorf("%s %s: %w", ev.DetailType(), env.ID, err)
		}
		bcc = append(bcc, managers...)
	}
	chunks := Chunk(to, bcc, MaxDestinations)
	if len(chunks) == 0 {
		slog.WarnContext(ctx, "email has no recipients: the groups are empty", attrs...)
		return nil
	}
	msg, err := Render(ev, s.WebAppURL)
	if err != nil {
		return err
	}
	base, err := DeliveryKey(env)
	if err != nil {
		return err
	}
	for i, d := range chunks {
		key := fmt.Sprintf("%s#%d", base, i)
		sent, err := n.Deliveries.Sent(ctx, key)
		if err != nil {
			return fmt.Errorf("%s %s: %w", ev.DetailType(), env.ID, err)
		}
		if sent {
			slog.InfoContext(ctx, "email already sent", append(attrs, "chunk", i)...)
			continue
		}
		failed, err := n.Sender.Send(ctx, s.From, msg, d, attrs...)
		if err != nil {
			return fmt.Errorf("%s %s: %w", ev.DetailType(), env.ID, err)
		}
		if err := n.Deliveries.MarkSent(ctx, key, n.now().Add(DeliveryTTL)); err != nil {
			return fmt.Errorf("%s %s: email sent but not recorded: %w", ev.DetailType(), env.ID, err)
		}
		slog.InfoContext(ctx, "email sent", append(attrs, "chunk", i, "recipients", d.Len(), "failed", failed)...)
	}
	return nil
}

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

// DeliveryKey identifies an event whatever delivered it: a sha256 over
// its source, detail-type, time and detail (compacted). The outbox
// re-publishes a record with the same time and detail, and EventBridge and
// SQS redeliver the same body, so every copy has the same key; the event
// id is left out because a re-publication gets a new one.
func DeliveryKey(env events.Envelope) (string, error) {
	var detail bytes.Buffer
	if err := json.Compact(&detail, env.Detail); err != nil {
		return "", fmt.Errorf("delivery key of event %s: %w", env.ID, err)
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(env.Source), []byte(env.DetailType),
		[]byte(env.Time.UTC().Format(time.RFC3339Nano)), detail.Bytes()} {
		h.Write(part)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
