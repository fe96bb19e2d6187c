package outbox_test

// The scheduled sweeper: it publishes what a failed delivery left in the
// outbox.

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/outbox-relay/sweep"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

func TestTheSweeperPublishesEverythingAFailedDeliveryLeft(t *testing.T) {
	ctx := context.Background()
	cfg := emulator.Config(t)
	s := fixture.Store(t, cfg)
	tap := fixture.Bus(t, cfg)
	eb := eventbridge.NewFromConfig(cfg)

	// 150 committed leases whose announcements the bus refused.
	broken := bus.New(eb, "no-such-bus")
	broken.Attempts = 1
	for i := range 150 {
		l := pending(fmt.Sprintf("u%d@example.com", i))
		recs := requested(t, l)
		if _, err := s.Leases().Create(ctx, l, 0, recs...); err != nil {
			t.Fatalf("lease %d: %v", i, err)
		}
		if err := outbox.New(s.Outbox(), broken).Deliver(ctx, recs); err == nil {
			t.Fatal("delivery to a missing bus succeeded")
		}
	}
	sw := &sweep.Sweeper{
		Relay: outbox.New(s.Outbox(), bus.New(eb, fixture.BusName)),
		Now:   func() time.Time { return t0.Add(time.Minute) },
	}
	if err := sw.Handle(ctx); err != nil {
		t.Fatal(err)
	}
	got := tap.Drain(t)
	if len(got) != 150 ||
		slices.ContainsFunc(
			got,
			func(r fixture.Received) bool { return r.Envelope.DetailType != names.LeaseRequested },
		) {
		t.Fatalf("the bus got %d events, want 150 LeaseRequested", len(got))
	}
	if left, _ := s.Outbox().Pending(ctx, t0.Add(time.Hour), 10); len(left) != 0 {
		t.Fatalf("%d records left in the outbox", len(left))
	}
	t.Run("a sweep with the bus down fails, so the schedule runs it again", func(t *testing.T) {
		l := pending("u@example.com")
		recs := requested(t, l)
		if _, err := s.Leases().Create(ctx, l, 0, recs...); err != nil {
			t.Fatal(err)
		}
		down := &sweep.Sweeper{Relay: outbox.New(s.Outbox(), broken), Now: sw.Now}
		if err := down.Handle(ctx); err == nil {
			t.Fatal("a sweep that published nothing succeeded")
		}
		if left, _ := s.Outbox().Pending(ctx, t0.Add(time.Hour), 10); len(left) != 1 {
			t.Fatalf("outbox holds %d, want 1", len(left))
		}
	})
}
