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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/isb-go/isb/common/names"
)

// Mailer sends one email (the SESv2 client).
type Mailer interface {
	SendEmail(
		ctx context.Context,
		in *sesv2.SendEmailInput,
		optFns ...func(*sesv2.Options),
	) (*sesv2.SendEmailOutput, error)
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
	_, err = s.Mail.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &sestypes.Destination{ToAddresses: d.To, BccAddresses: d.Bcc},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(msg.Subject), Charset: aws.String("UTF-8")},
			Body: &sestypes.Body{
				Html: &sestypes.Content{Data: aws.String(msg.HTML), Charset: aws.String("UTF-8")},
				Text: &sestypes.Content{Data: aws.String(msg.Text), Charset: aws.String("UTF-8")},
			},
		}},
	})
	if err == nil {
		return 0, nil
	}
	if AccountLevel(err, from) {
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

// AccountLevel reports whether a SendEmail error concerns the sending
// account or the service rather than a recipient: sending paused or
// suspended, an unverified MAIL FROM domain or sender, throttling, a
// missing configuration set, an SES fault, or an error that never reached
// SES (network, cancelled context). Such an error is retried as a whole;
// any other error may be one recipient's and is bisected.
func AccountLevel(err error, from string) bool {
	var (
		paused    *sestypes.SendingPausedException
		suspended *sestypes.AccountSuspendedException
		mailFrom  *sestypes.MailFromDomainNotVerifiedException
		tooMany   *sestypes.TooManyRequestsException
		limit     *sestypes.LimitExceededException
		notFound  *sestypes.NotFoundException
		internal  *sestypes.InternalServiceErrorException
		rejected  *sestypes.MessageRejected
	)
	switch {
	case errors.As(err, &paused), errors.As(err, &suspended), errors.As(err, &mailFrom),
		errors.As(err, &tooMany), errors.As(err, &limit), errors.As(err, &notFound), errors.As(err, &internal):
		return true
	case errors.As(err, &rejected):
		// SES names the unverified identities in the message; when the
		// sender is among them no recipient can be reached.
		return from != "" && strings.Contains(strings.ToLower(rejected.ErrorMessage()), strings.ToLower(from))
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return true
	}
	switch api.ErrorCode() {
	case "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
		"SendingPausedException", "AccountSendingPausedException", "ConfigurationSetSendingPausedException",
		"ConfigurationSetDoesNotExist", "ServiceUnavailable", "InternalFailure":
		return true
	}
	return api.ErrorFault() == smithy.FaultServer
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
