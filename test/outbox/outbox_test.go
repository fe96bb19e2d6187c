// Package outbox_test checks that a change and the event announcing it are
// committed together, that the relay delivers every record to the bus, and
// that the scheduled sweeper publishes what a failed delivery left.
package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/outbox-relay/sweep"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

var t0 = fixture.T0

func requested(t *testing.T, l lease.Lease) []events.Record {
	t.Helper()
	recs, err := events.Records(t0, events.LeaseRequested{LeaseID: l.Key, RequiresManualApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func pending(email string) lease.Lease {
	return lease.Lease{
		Key:       lease.Key{UserEmail: email, UUID: uuid.NewString()},
		Status:    lease.PendingApproval,
		CreatedAt: t0,
	}
}

func TestChangesAndTheirEventsCommitTogether(t *testing.T) {
	ctx := context.Background()
	p := fixture.NewPlatform(t)
	s, tap, pub := p.Store, p.Tap, fixture.Publisher(p.Cfg)
	relay := outbox.New(s.Outbox(), pub)

	l := pending("dev@example.com")
	recs := requested(t, l)
	created, err := s.Leases().Create(ctx, l, 3, recs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the event waits in the outbox until it is delivered", func(t *testing.T) {
		waiting, err := s.Outbox().Pending(ctx, t0.Add(time.Hour), 10)
		if err != nil || len(waiting) != 1 || waiting[0].ID != recs[0].ID {
			t.Fatalf("outbox = %v, %v", waiting, err)
		}
		if got := tap.Drain(t); len(got) != 0 {
			t.Fatalf("the bus saw %v before delivery", fixture.DetailTypes(got))
		}
	})
	t.Run("delivery puts it on the bus and clears the outbox", func(t *testing.T) {
		if err := relay.Deliver(ctx, recs); err != nil {
			t.Fatal(err)
		}
		got := tap.Drain(t)
		if len(got) != 1 || got[0].Envelope.DetailType != names.LeaseRequested ||
			got[0].Envelope.Source != names.SourceAPI {
			t.Fatalf("bus got %s", fixture.JSON(got))
		}
		if ev := got[0].Event.(events.LeaseRequested); ev.LeaseID != l.Key {
			t.Fatalf("event names lease %v, want %v", ev.LeaseID, l.Key)
		}
		if waiting, _ := s.Outbox().Pending(ctx, t0.Add(time.Hour), 10); len(waiting) != 0 {
			t.Fatalf("outbox still holds %d records", len(waiting))
		}
	})
	t.Run("a change that loses its race writes no event", func(t *testing.T) {
		denied, _ := created.Transition(lease.ApprovalDenied, t0)
		if _, err := s.Leases().Save(ctx, created, denied); err != nil {
			t.Fatal(err)
		}
		stale, _ := created.Transition(lease.ManuallyTerminated, t0)
		recs, _ := events.Records(t0, events.LeaseDenied{LeaseID: l.Key, DeniedBy: "mgr@example.com"})
		if _, err := s.Leases().Save(ctx, created, stale, recs...); !errors.Is(err, fault.Conflict) {
			t.Fatalf("stale save: %v", err)
		}
		if waiting, _ := s.Outbox().Pending(ctx, t0.Add(time.Hour), 10); len(waiting) != 0 {
			t.Fatalf("a refused change left %d events in the outbox", len(waiting))
		}
	})
	t.Run("a grant writes its announcement in the same transaction", func(t *testing.T) {
		if err := s.Accounts().Import(ctx, []account.Account{{ID: "123456789012", Status: account.Available,
			StatusChangedAt: t0}}); err != nil {
			t.Fatal(err)
		}
		p, err := s.Leases().Create(ctx, pending("ci@example.com"), 0)
		if err != nil {
			t.Fatal(err)
		}
		g, err := s.Grant(ctx, account.GrantRequest{Lease: p, ApprovedBy: lease.AutoApproved, Now: t0,
			Announce: func(l lease.Lease, a account.Account) ([]events.Record, error) {
				return events.Records(
					t0,
					events.LeaseApproved{LeaseID: l.Key, AccountID: a.ID, ApprovedBy: l.ApprovedBy},
				)
			}})
		if err != nil {
			t.Fatal(err)
		}
		waiting, _ := s.Outbox().Pending(ctx, t0.Add(time.Hour), 10)
		if len(waiting) != 1 || waiting[0].DetailType != names.LeaseApproved {
			t.Fatalf("outbox after a grant = %v", waiting)
		}
		ev, err := events.Decode(waiting[0].DetailType, []byte(waiting[0].Detail))
		if err != nil || ev.(events.LeaseApproved).AccountID != g.Account.ID {
			t.Fatalf("announcement = %v, %v", ev, err)
		}
	})
}

func TestTheSweeperDeliversWhatAFailedPublishLeft(t *testing.T) {
	ctx := context.Background()
	p := fixture.NewPlatform(t)
	s, tap, eb := p.Store, p.Tap, eventbridge.NewFromConfig(p.Cfg)

	l := pending("dev@example.com")
	recs := requested(t, l)
	if _, err := s.Leases().Create(ctx, l, 3, recs...); err != nil {
		t.Fatal(err)
	}
	broken := bus.New(eb, "no-such-bus")
	broken.Backoff = time.Millisecond
	if err := outbox.New(s.Outbox(), broken).Deliver(ctx, recs); err == nil {
		t.Fatal("publishing to a missing bus succeeded")
	}
	if waiting, _ := s.Outbox().Pending(ctx, t0.Add(time.Hour), 10); len(waiting) != 1 {
		t.Fatalf("after a failed publish the outbox holds %d records, want 1", len(waiting))
	}

	relay := outbox.New(s.Outbox(), fixture.Publisher(p.Cfg))
	t.Run("records younger than the minimum age are left to the deliverer in flight", func(t *testing.T) {
		res, err := relay.Sweep(ctx, t0.Add(30*time.Second), time.Minute, 100)
		if err != nil || res.Found != 0 {
			t.Fatalf("sweep = %+v, %v", res, err)
		}
	})
	t.Run("older records are delivered and cleared", func(t *testing.T) {
		res, err := relay.Sweep(ctx, t0.Add(2*time.Minute), time.Minute, 100)
		if err != nil || res.Found != 1 || res.Delivered != 1 {
			t.Fatalf("sweep = %+v, %v", res, err)
		}
		if got := fixture.DetailTypes(tap.Drain(t)); !slices.Equal(got, []string{names.LeaseRequested}) {
			t.Fatalf("bus got %v", got)
		}
		if waiting, _ := s.Outbox().Pending(ctx, t0.Add(time.Hour), 10); len(waiting) != 0 {
			t.Fatalf("outbox still holds %d", len(waiting))
		}
	})
}

func TestPublisherBatchesByTen(t *testing.T) {
	ctx := context.Background()
	cfg := emulator.Config(t)
	tap := fixture.Bus(t, cfg)
	pub := fixture.Publisher(cfg)
	var evs []events.Event
	for i := range 25 {
		evs = append(
			evs,
			events.LeaseRequested{
				LeaseID: lease.Key{UserEmail: fmt.Sprintf("u%d@example.com", i), UUID: uuid.NewString()},
			},
		)
	}
	recs, err := events.Records(t0, evs...)
	if err != nil {
		t.Fatal(err)
	}
	published, err := pub.Publish(ctx, recs)
	if err != nil || len(published) != 25 {
		t.Fatalf("published %d, %v", len(published), err)
	}
	if pub.Calls != 3 {
		t.Fatalf("25 events took %d PutEvents calls, want 3", pub.Calls)
	}
	if got := tap.Drain(t); len(got) != 25 {
		t.Fatalf("bus got %d events, want 25", len(got))
	}
}

func TestTheSweeperReadsThePendingIndexOldestFirstAndNeverScans(t *testing.T) {
	ctx := context.Background()
	cfg := emulator.Config(t)
	calls := &emulator.Faults{} // no faults: it only counts the calls
	s := fixture.Store(t, calls.Wrap(cfg))
	tap := fixture.Bus(t, cfg)

	// Five requests whose events were written out of time order, as
	// concurrent writers do.
	var byAge []string
	ids := map[time.Duration]string{}
	for _, m := range []time.Duration{4, 1, 3, 0, 2} {
		l := pending(fmt.Sprintf("dev%d@example.com", m))
		recs, err := events.Records(
			t0.Add(m*time.Minute),
			events.LeaseRequested{LeaseID: l.Key, RequiresManualApproval: true},
		)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Leases().Create(ctx, l, 3, recs...); err != nil {
			t.Fatal(err)
		}
		ids[m] = recs[0].ID
	}
	for m := range time.Duration(5) {
		byAge = append(byAge, ids[m])
	}
	recordIDs := func(recs []events.Record) []string {
		var out []string
		for _, r := range recs {
			out = append(out, r.ID)
		}
		return out
	}
	calls.Reset()

	t.Run("pending records come oldest first", func(t *testing.T) {
		got, err := s.Outbox().Pending(ctx, t0.Add(time.Hour), 3)
		if err != nil || !slices.Equal(recordIDs(got), byAge[:3]) {
			t.Fatalf("pending = %v, %v; want %v", recordIDs(got), err, byAge[:3])
		}
		got, err = s.Outbox().Pending(ctx, t0.Add(150*time.Second), 10)
		if err != nil || !slices.Equal(recordIDs(got), byAge[:3]) {
			t.Fatalf("pending before 2m30 = %v, %v; want %v", recordIDs(got), err, byAge[:3])
		}
	})
	t.Run("a sweep delivers the oldest records and leaves the younger ones", func(t *testing.T) {
		relay := fixture.Relay(cfg, s)
		res, err := relay.Sweep(ctx, t0.Add(time.Hour), time.Minute, 2)
		if err != nil || res.Found != 2 || res.Delivered != 2 {
			t.Fatalf("sweep = %+v, %v", res, err)
		}
		if got := tap.Drain(t); len(got) != 2 {
			t.Fatalf("bus got %d events, want 2", len(got))
		}
		left, err := s.Outbox().Pending(ctx, t0.Add(time.Hour), 10)
		if err != nil || !slices.Equal(recordIDs(left), byAge[2:]) {
			t.Fatalf("left = %v, %v; want %v", recordIDs(left), err, byAge[2:])
		}
	})
	t.Run("the outbox is read through its index, never scanned", func(t *testing.T) {
		if calls.Calls("Scan") != 0 || calls.Calls("Query") == 0 {
			t.Fatalf("%d scans and %d queries", calls.Calls("Scan"), calls.Calls("Query"))
		}
	})
}

func TestTheSweeperPublishesEverythingAFailedDeliveryLeft(t *testing.T) {
	ctx := context.Background()
	p := fixture.NewPlatform(t)
	s, tap, eb := p.Store, p.Tap, eventbridge.NewFromConfig(p.Cfg)

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
		Relay: outbox.New(s.Outbox(), fixture.Publisher(p.Cfg)),
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
