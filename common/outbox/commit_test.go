package outbox_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/outbox"
)

// bus records what Commit delivers; fail makes every delivery fail.
type bus struct {
	delivered []events.Record
	calls     int
	fail      bool
}

func (b *bus) Deliver(_ context.Context, recs []events.Record) error {
	b.calls++
	if b.fail {
		return errors.New("bus throttled")
	}
	b.delivered = append(b.delivered, recs...)
	return nil
}

func ids(recs []events.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func TestCommit(t *testing.T) {
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	request := events.CleanAccountRequest{AccountID: "111111111111", Reason: events.CleanupRetryFailed}
	quarantined := events.AccountQuarantined{AccountID: "111111111111", Reason: "drift"}

	t.Run("the events go into the write as records and are delivered once it committed", func(t *testing.T) {
		b := &bus{}
		var written []events.Record
		err := outbox.Commit(context.Background(), b, at, func(recs []events.Record) ([]events.Record, error) {
			written = recs
			return nil, nil
		}, request, quarantined)
		if err != nil {
			t.Fatal(err)
		}
		if len(written) != 2 || written[0].DetailType != request.DetailType() ||
			written[1].DetailType != quarantined.DetailType() {
			t.Fatalf("the write got %+v, want the records of both events in order", written)
		}
		for _, r := range written {
			if !r.Time.Equal(at) || r.ID == "" {
				t.Errorf("record %+v is not stamped at %v with an id", r, at)
			}
		}
		if !slices.Equal(ids(b.delivered), ids(written)) || b.calls != 1 {
			t.Errorf("delivered %v in %d calls, want %v in one", ids(b.delivered), b.calls, ids(written))
		}
	})

	t.Run("records the write decided itself are delivered with the others", func(t *testing.T) {
		b := &bus{}
		own, err := events.Records(at, quarantined)
		if err != nil {
			t.Fatal(err)
		}
		var handed []events.Record
		err = outbox.Commit(context.Background(), b, at, func(recs []events.Record) ([]events.Record, error) {
			handed = recs
			return own, nil
		}, request)
		if err != nil {
			t.Fatal(err)
		}
		if want := append(ids(handed), ids(own)...); !slices.Equal(ids(b.delivered), want) {
			t.Errorf("delivered %v, want %v", ids(b.delivered), want)
		}
	})

	t.Run("a refused write delivers nothing and its error is the caller's", func(t *testing.T) {
		b := &bus{}
		refused := &fault.ConflictError{Entity: "account", Key: "111111111111", Reason: "it changed"}
		err := outbox.Commit(context.Background(), b, at, func([]events.Record) ([]events.Record, error) {
			return nil, refused
		}, request)
		if !errors.Is(err, fault.Conflict) {
			t.Errorf("Commit = %v, want the write's conflict", err)
		}
		if b.calls != 0 {
			t.Errorf("a refused change delivered %d times", b.calls)
		}
	})

	t.Run("an invalid event is refused before anything is written", func(t *testing.T) {
		b := &bus{}
		wrote := false
		err := outbox.Commit(context.Background(), b, at, func([]events.Record) ([]events.Record, error) {
			wrote = true
			return nil, nil
		}, events.CleanAccountRequest{AccountID: "not an account"})
		if err == nil || wrote || b.calls != 0 {
			t.Errorf("Commit = %v, wrote %v, deliveries %d: want an error, no write, no delivery", err, wrote, b.calls)
		}
	})

	t.Run("a failed delivery is left to the relay and is not the writer's error", func(t *testing.T) {
		b := &bus{fail: true}
		err := outbox.Commit(context.Background(), b, at, func([]events.Record) ([]events.Record, error) {
			return nil, nil
		}, request)
		if err != nil || b.calls != 1 {
			t.Errorf("Commit = %v after %d deliveries, want nil after one", err, b.calls)
		}
	})

	t.Run("a write without events delivers nothing", func(t *testing.T) {
		b := &bus{}
		if err := outbox.Commit(context.Background(), b, at, func(recs []events.Record) ([]events.Record, error) {
			if len(recs) != 0 {
				t.Errorf("the write got %d records", len(recs))
			}
			return nil, nil
		}); err != nil {
			t.Fatal(err)
		}
		if b.calls != 0 {
			t.Errorf("%d deliveries of nothing", b.calls)
		}
	})
}
