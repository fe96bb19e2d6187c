package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/isb-go/isb/common/names"
)

// Mailer sends one email (ses.Mailer). An error that has an
// AccountLevel() bool method says whether the failure is the sending
// account's; any other error is taken to be (it never reached SES).
type Mailer interface {
	Send(ctx context.Context, from string, to, bcc []string, subject, html, text string) error
}

// Sender sends messages through SESv2 and isolates recipients SES
// refuses: when a message to several recipients fails for a reason that
// may be one recipient's, it is sent again to each half of them, down to
// single recipients. A single recipient that still fails is logged and
// counted in names.MetricEmailFailures, and the others still get the mail.
// Errors that concern the sending account (paused or suspended sending,
// throttling, an unverified sender) are returned at once, so the event is
// delivered again later.
type Sender struct {
	Mail Mailer
	// Metrics receives one names.MetricEmailFailures line in CloudWatch
	// embedded metric format per failed recipient (the Lambda's stdout);
	// nil discards them.
	Metrics   io.Writer
	Namespace string
	Now       func() time.Time

	mu sync.Mutex // serialises metric lines
}

// Send sends msg from from to d. It returns the number of recipients that
// could not be reached, and an error only for a failure of the sending
// account (the message must be retried). attrs are logged with every
// failure (lease_id, account_id, …).
func (s *Sender) Send(
	ctx context.Context,
	from string,
	msg Message,
	d Destination,
	attrs ...any,
) (failed int, err error) {
	if d.Len() == 0 {
		return 0, nil
	}
	err = s.Mail.Send(ctx, from, d.To, d.Bcc, msg.Subject, msg.HTML, msg.Text)
	if err == nil {
		return 0, nil
	}
	if accountLevel(err) {
		return 0, fmt.Errorf("send email %q: %w", msg.Subject, err)
	}
	if d.Len() == 1 {
		addr := d.All()[0]
		slog.ErrorContext(ctx, "email failed", append([]any{"recipient", Mask(addr), "recipient_hash", Hash(addr),
			"subject", msg.Subject, "error", err}, attrs...)...)
		s.metric(1)
		return 1, nil
	}
	a, b := d.halves()
	fa, err := s.Send(ctx, from, msg, a, attrs...)
	if err != nil {
		return fa, err
	}
	fb, err := s.Send(ctx, from, msg, b, attrs...)
	return fa + fb, err
}

// accountLevel reports whether a Mailer error is the sending account's.
func accountLevel(err error) bool {
	var c interface{ AccountLevel() bool }
	return !errors.As(err, &c) || c.AccountLevel()
}

// Mask hides most of an address for logs: "j***@example.com".
func Mask(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}

// Hash is a short stable digest of an address, to match log lines about
// the same recipient without logging the address.
func Hash(addr string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(addr)))
	return hex.EncodeToString(sum[:6])
}

// metric writes n failures in embedded metric format.
func (s *Sender) metric(n int) {
	if s.Metrics == nil {
		return
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	doc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  names.MetricNamespace(s.Namespace),
				"Dimensions": [][]string{{}},
				"Metrics":    []any{map[string]string{"Name": names.MetricEmailFailures, "Unit": "Count"}},
			}},
		},
		names.MetricEmailFailures: n,
	}
	b, _ := json.Marshal(doc)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = fmt.Fprintln(s.Metrics, string(b))
}
