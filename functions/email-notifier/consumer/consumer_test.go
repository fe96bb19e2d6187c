package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/notify"
)

// recorder is a Notifier with fixed settings that records the accounts it
// was asked to write about and fails the ones in fail.
type recorder struct {
	settings    notify.Settings
	settingsErr error
	fail        map[string]bool
	notified    []string
}

func (r *recorder) Settings(context.Context) (notify.Settings, error) {
	return r.settings, r.settingsErr
}

func (r *recorder) Notify(_ context.Context, _ notify.Settings, _ events.Envelope, ev events.Event) error {
	a := ev.(events.AccountDriftDetected).AccountID
	r.notified = append(r.notified, a)
	if r.fail[a] {
		return errors.New("throttled")
	}
	return nil
}

func msg(t *testing.T, id, account string) awsevents.SQSMessage {
	t.Helper()
	env, err := events.NewEnvelope(
		events.AccountDriftDetected{AccountID: account, ExpectedOU: "Available", ActualOU: "Active"},
		id,
		"111111111111",
		"us-east-1",
		time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
	)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(env)
	return awsevents.SQSMessage{MessageId: id, Body: string(b)}
}

const a, b = "000000000001", "000000000002"

func TestHandle(t *testing.T) {
	on := notify.Settings{From: "sandbox@example.com"}
	tests := []struct {
		name         string
		r            *recorder
		batch        func(t *testing.T) []awsevents.SQSMessage
		wantNotified []string
		wantFails    []string
	}{
		{"every event is sent", &recorder{settings: on},
			func(t *testing.T) []awsevents.SQSMessage {
				return []awsevents.SQSMessage{msg(t, "1", a), msg(t, "2", b)}
			},
			[]string{a, b}, nil},
		{
			"a failed event is reported and the others still go out",
			&recorder{settings: on, fail: map[string]bool{a: true}},
			func(t *testing.T) []awsevents.SQSMessage {
				return []awsevents.SQSMessage{msg(t, "1", a), msg(t, "2", b)}
			},
			[]string{a, b},
			[]string{"1"},
		},
		{"a body that is not a platform event is dropped, not retried", &recorder{settings: on},
			func(t *testing.T) []awsevents.SQSMessage {
				return []awsevents.SQSMessage{{MessageId: "x", Body: "{"}, msg(t, "1", b)}
			},
			[]string{b}, nil},
		{"with no sender nothing is sent and every message is acknowledged", &recorder{},
			func(t *testing.T) []awsevents.SQSMessage {
				return []awsevents.SQSMessage{msg(t, "1", a), msg(t, "2", b)}
			},
			nil, nil},
		{"unreadable settings retry every message", &recorder{settingsErr: errors.New("no config")},
			func(t *testing.T) []awsevents.SQSMessage {
				return []awsevents.SQSMessage{msg(t, "1", a), msg(t, "2", b)}
			},
			nil, []string{"1", "2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := (&Handler{Notifier: tc.r}).Handle(
				context.Background(),
				awsevents.SQSEvent{Records: tc.batch(t)},
			)
			if err != nil {
				t.Fatal(err)
			}
			var fails []string
			for _, f := range resp.BatchItemFailures {
				fails = append(fails, f.ItemIdentifier)
			}
			if !slices.Equal(fails, tc.wantFails) {
				t.Errorf("failures = %v, want %v", fails, tc.wantFails)
			}
			if !slices.Equal(tc.r.notified, tc.wantNotified) {
				t.Errorf("notified = %v, want %v", tc.r.notified, tc.wantNotified)
			}
		})
	}
}
