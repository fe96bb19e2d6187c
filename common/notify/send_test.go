package notify

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/ses"
)

const from = "sandbox@example.com"

// fakeSES is the SESv2 client under ses.Mailer: it refuses every message that names a bad address with a
// recipient error, fails every call with accountErr when set, and records
// the recipients of the messages it accepted.
type fakeSES struct {
	bad        map[string]bool
	accountErr error
	calls      int
	delivered  []string
}

func (f *fakeSES) SendEmail(
	_ context.Context,
	in *sesv2.SendEmailInput,
	_ ...func(*sesv2.Options),
) (*sesv2.SendEmailOutput, error) {
	f.calls++
	if f.accountErr != nil {
		return nil, f.accountErr
	}
	all := slices.Concat(in.Destination.ToAddresses, in.Destination.BccAddresses)
	for _, a := range all {
		if f.bad[a] {
			return nil, &sestypes.BadRequestException{Message: aws.String("invalid address")}
		}
	}
	f.delivered = append(f.delivered, all...)
	return &sesv2.SendEmailOutput{MessageId: aws.String("m")}, nil
}

func TestSendIsolatesFailingRecipients(t *testing.T) {
	eight := addrs("a", 8)
	tests := []struct {
		name       string
		d          Destination
		bad        []string
		wantFailed int
		wantCalls  int
	}{
		{"a message SES accepts is sent once", Destination{To: []string{"dev@example.com"}, Bcc: eight}, nil, 0, 1},
		{
			"one bad recipient among eight is isolated and the seven others receive",
			Destination{Bcc: eight},
			eight[5:6],
			1,
			7,
		},
		{
			"two bad recipients are both isolated",
			Destination{To: []string{"dev@example.com"}, Bcc: eight},
			[]string{"dev@example.com", eight[7]},
			2,
			0,
		},
		{"a single bad recipient is given up after one try", Destination{Bcc: eight[:1]}, eight[:1], 1, 1},
		{"when every recipient is bad each is tried alone", Destination{Bcc: eight[:4]}, eight[:4], 4, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeSES{bad: map[string]bool{}}
			for _, a := range tc.bad {
				fake.bad[a] = true
			}
			var metrics bytes.Buffer
			s := &Sender{Mail: ses.New(fake), Metrics: &metrics, Namespace: "test", Now: func() time.Time { return t0 }}
			failed, err := s.Send(context.Background(), from, Message{Subject: "s"}, tc.d)
			if err != nil {
				t.Fatal(err)
			}
			if failed != tc.wantFailed {
				t.Errorf("failed = %d, want %d", failed, tc.wantFailed)
			}
			if tc.wantCalls > 0 && fake.calls != tc.wantCalls {
				t.Errorf("SendEmail called %d times, want %d", fake.calls, tc.wantCalls)
			}
			var want []string
			for _, a := range tc.d.All() {
				if !slices.Contains(tc.bad, a) {
					want = append(want, a)
				}
			}
			slices.Sort(want)
			got := slices.Sorted(slices.Values(fake.delivered))
			if !slices.Equal(got, want) {
				t.Errorf("delivered to %v, want %v", got, want)
			}
			if n := strings.Count(metrics.String(), `"EmailFailures":1`); n != tc.wantFailed {
				t.Errorf("%d EmailFailures data points, want %d:\n%s", n, tc.wantFailed, metrics.String())
			}
		})
	}
}

func TestSendReturnsAccountLevelErrorsWithoutBisecting(t *testing.T) {
	fake := &fakeSES{accountErr: &sestypes.SendingPausedException{Message: aws.String("paused")}}
	var metrics bytes.Buffer
	s := &Sender{Mail: ses.New(fake), Metrics: &metrics}
	_, err := s.Send(context.Background(), from, Message{Subject: "s"}, Destination{Bcc: addrs("a", 8)})
	var paused *sestypes.SendingPausedException
	if !errors.As(err, &paused) {
		t.Fatalf("err = %v, want the SendingPausedException", err)
	}
	if fake.calls != 1 || metrics.Len() != 0 {
		t.Errorf(
			"%d calls and metrics %q after an account-level error, want 1 call and none",
			fake.calls,
			metrics.String(),
		)
	}
}

func TestMaskAndHash(t *testing.T) {
	wantEach(t, "Mask", Mask, []stringCase{
		{"an address keeps its first letter and domain", "jane.doe@example.com", "j***@example.com"},
		{"a string without @ is hidden entirely", "nobody", "***"},
		{"an empty local part is hidden entirely", "@example.com", "***"},
	})
	if Hash("Jane@Example.com") != Hash("jane@example.com") || Hash("a@example.com") == Hash("b@example.com") {
		t.Error("Hash must ignore case and tell addresses apart")
	}
}

func TestDeliveryKey(t *testing.T) {
	base := events.Envelope{ID: "1", Source: "isb.api", DetailType: "LeaseRequested", Time: t0,
		Detail: []byte(`{"leaseId":{"userEmail":"dev@example.com","uuid":"u"},"requiresManualApproval":true}`)}
	key := func(e events.Envelope) string {
		t.Helper()
		k, err := DeliveryKey(e)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	with := func(f func(*events.Envelope)) events.Envelope { e := base; f(&e); return e }
	tests := []struct {
		name string
		env  events.Envelope
		same bool
	}{
		{"a re-published event with a new id has the same key", with(func(e *events.Envelope) { e.ID = "2" }), true},
		{"the same detail with other spacing has the same key", with(func(e *events.Envelope) {
			e.Detail = []byte(
				`{ "leaseId": {"userEmail":"dev@example.com", "uuid":"u"}, "requiresManualApproval": true }`,
			)
		}), true},
		{
			"the same instant in another zone has the same key",
			with(func(e *events.Envelope) { e.Time = t0.In(time.FixedZone("x", 3600)) }),
			true,
		},
		{"another time is another event", with(func(e *events.Envelope) { e.Time = t0.Add(time.Second) }), false},
		{
			"another detail is another event",
			with(
				func(e *events.Envelope) { e.Detail = []byte(`{"leaseId":{"userEmail":"dev@example.com","uuid":"v"}}`) },
			),
			false,
		},
		{"another source is another event", with(func(e *events.Envelope) { e.Source = "isb.lifecycle" }), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := key(tc.env) == key(base); got != tc.same {
				t.Errorf("same key = %v, want %v", got, tc.same)
			}
		})
	}
}
