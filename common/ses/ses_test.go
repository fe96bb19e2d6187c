package ses

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

const from = "sandbox@example.com"

func TestAccountLevel(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"sending paused is the account's", &sestypes.SendingPausedException{}, true},
		{"a suspended account is the account's", &sestypes.AccountSuspendedException{}, true},
		{"an unverified MAIL FROM domain is the account's", &sestypes.MailFromDomainNotVerifiedException{}, true},
		{"too many requests is the account's", &sestypes.TooManyRequestsException{}, true},
		{"a daily quota reached is the account's", &sestypes.LimitExceededException{}, true},
		{"an unverified sender is the account's",
			&sestypes.MessageRejected{
				Message: aws.String("Email address not verified " + strings.ToUpper(from)),
			}, true},
		{"a rejected recipient is the recipient's",
			&sestypes.MessageRejected{Message: aws.String("Email address not verified dev@example.com")}, false},
		{"a bad request is the recipient's", &sestypes.BadRequestException{}, false},
		{
			"an unknown client error is the recipient's",
			&smithy.GenericAPIError{Code: "Whatever", Fault: smithy.FaultClient},
			false,
		},
		{"throttling by code is the account's", &smithy.GenericAPIError{Code: "Throttling"}, true},
		{"a server fault is the account's", &smithy.GenericAPIError{Code: "Oops", Fault: smithy.FaultServer}, true},
		{"an error that never reached SES is retried", fmt.Errorf("send: %w", context.DeadlineExceeded), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := AccountLevel(fmt.Errorf("wrapped: %w", tc.err), from); got != tc.want {
				t.Errorf("AccountLevel(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
