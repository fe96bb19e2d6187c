package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/events"
)

// recorder is a Service that records the events it gets, fails the ones
// named in fail, and can wait until n accounts are in flight at once.
type recorder struct {
	mu      sync.Mutex
	seen    map[string][]events.CleanupReason
	fail    map[string]bool
	barrier *sync.WaitGroup
}

func (r *recorder) Handle(_ context.Context, ev events.Event) error {
	e := ev.(events.CleanAccountRequest)
	if r.barrier != nil {
		r.barrier.Done()
		r.barrier.Wait()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[e.AccountID] = append(r.seen[e.AccountID], e.Reason)
	if r.fail[e.AccountID+"/"+string(e.Reason)] {
		return errors.New("boom")
	}
	return nil
}

func msg(t *testing.T, id, account string, reason events.CleanupReason) awsevents.SQSMessage {
	t.Helper()
	env, err := events.NewEnvelope(
		events.CleanAccountRequest{AccountID: account, Reason: reason},
		id,
		"111111111111",
		"us-east-1",
		time.Now(),
	)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(env)
	return awsevents.SQSMessage{MessageId: id, Body: string(b)}
}

const a, b = "000000000001", "000000000002"

func TestHandle(t *testing.T) {
	reg, retry, term := events.CleanupAccountRegistration, events.CleanupRetryFailed, events.CleanupLeaseTermination
	tests := []struct {
		name      string
		batch     func(t *testing.T) []awsevents.SQSMessage
		fail      map[string]bool
		wantSeen  map[string][]events.CleanupReason
		wantFails []string
	}{
		{"each account's events are handled in their order", func(t *testing.T) []awsevents.SQSMessage {
			return []awsevents.SQSMessage{
				msg(t, "1", a, reg),
				msg(t, "2", b, reg),
				msg(t, "3", a, retry),
				msg(t, "4", a, term),
			}
		}, nil, map[string][]events.CleanupReason{a: {reg, retry, term}, b: {reg}}, nil},
		{
			"a failure reports that message and the account's later ones, not the other account's",
			func(t *testing.T) []awsevents.SQSMessage {
				return []awsevents.SQSMessage{
					msg(t, "1", a, reg),
					msg(t, "2", b, reg),
					msg(t, "3", a, retry),
					msg(t, "4", a, term),
					msg(t, "5", b, retry),
				}
			},
			map[string]bool{a + "/" + string(retry): true},
			map[string][]events.CleanupReason{a: {reg, retry}, b: {reg, retry}},
			[]string{"3", "4"},
		},
		{"a body that is not a platform event is dropped, not retried", func(t *testing.T) []awsevents.SQSMessage {
			return []awsevents.SQSMessage{{MessageId: "x", Body: "{"}, msg(t, "1", b, reg)}
		}, nil, map[string][]events.CleanupReason{b: {reg}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{seen: map[string][]events.CleanupReason{}, fail: tc.fail}
			resp, err := (&Handler{Service: r}).Handle(context.Background(), awsevents.SQSEvent{Records: tc.batch(t)})
			if err != nil {
				t.Fatal(err)
			}
			var fails []string
			for _, f := range resp.BatchItemFailures {
				fails = append(fails, f.ItemIdentifier)
			}
			slices.Sort(fails)
			if !slices.Equal(fails, tc.wantFails) {
				t.Errorf("failures = %v, want %v", fails, tc.wantFails)
			}
			if fmt.Sprint(r.seen) != fmt.Sprint(tc.wantSeen) {
				t.Errorf("handled = %v, want %v", r.seen, tc.wantSeen)
			}
		})
	}
}

func TestHandleWorksOnAccountsAtOnce(t *testing.T) {
	// Every account's first event waits until all of them have started:
	// this finishes only if the accounts are handled concurrently.
	const n = 4
	var barrier sync.WaitGroup
	barrier.Add(n)
	r := &recorder{seen: map[string][]events.CleanupReason{}, barrier: &barrier}
	var batch []awsevents.SQSMessage
	for i := range n {
		batch = append(batch, msg(t, fmt.Sprint(i), fmt.Sprintf("00000000000%d", i), events.CleanupAccountRegistration))
	}
	done := make(chan struct{})
	go func() {
		_, _ = (&Handler{Service: r, Parallel: n}).Handle(context.Background(), awsevents.SQSEvent{Records: batch})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("accounts were handled one after another")
	}
}
