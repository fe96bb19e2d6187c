// Package ses is the SESv2 adapter: one simple UTF-8 email from a sender
// to To and Bcc recipients, and whether a failure is the sending
// account's (retry the message later) or may be a recipient's.
package ses

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// API sends one email (the SESv2 client).
type API interface {
	SendEmail(
		ctx context.Context,
		in *sesv2.SendEmailInput,
		optFns ...func(*sesv2.Options),
	) (*sesv2.SendEmailOutput, error)
}

// Mailer sends email through SESv2.
type Mailer struct{ api API }

// New returns the adapter over the client.
func New(api API) *Mailer { return &Mailer{api: api} }

// Error is a failed send. It unwraps to the SDK's error.
type Error struct {
	Err     error
	account bool
}

func (e *Error) Error() string { return e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// AccountLevel reports whether the failure concerns the sending account or
// the service rather than a recipient (see AccountLevel).
func (e *Error) AccountLevel() bool { return e.account }

// Send sends one message; a failure is an *Error.
func (m *Mailer) Send(ctx context.Context, from string, to, bcc []string, subject, html, text string) error {
	_, err := m.api.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &sestypes.Destination{ToAddresses: to, BccAddresses: bcc},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(subject), Charset: aws.String("UTF-8")},
			Body: &sestypes.Body{
				Html: &sestypes.Content{Data: aws.String(html), Charset: aws.String("UTF-8")},
				Text: &sestypes.Content{Data: aws.String(text), Charset: aws.String("UTF-8")},
			},
		}},
	})
	if err != nil {
		return &Error{Err: err, account: AccountLevel(err, from)}
	}
	return nil
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
