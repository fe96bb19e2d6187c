package leases_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	isbevents "github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/reaper"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-leases/leasesapi"
	"github.com/isb-go/isb/test/api/apitest"
)

func TestTheReaperEndsSilentLeasesOnly(t *testing.T) {
	ctx := context.Background()
	e := apitest.New(t)
	e.SetGlobal("maintenanceMode: false\nleases:\n  maxLeasesPerUser: 10\n")
	e.Pool(4)
	svc := leasing.New(leasing.Deps{Leases: e.Store.Leases(), Granter: e.Store, Templates: e.Store.Templates(),
		Config: e.Config, Outbox: e.Relay, Now: e.Clock.Now, NewID: e.NewID})
	h := e.Server(routes.Leases, leasesapi.Handlers(svc, sessions(e)))
	tpl := beatTemplate(t, e, 0, 30)
	ask := func(minutes int) leasesapi.Lease {
		body := map[string]any{"leaseTemplateUuid": tpl.UUID}
		if minutes > 0 {
			body["heartbeatTimeoutMinutes"] = minutes
		}
		return apitest.Decode[leasesapi.Lease](t, h, e.Event("POST", "/leases", &apitest.CI, body))
	}
	silent, beating, plain, released := ask(2), ask(2), ask(0), ask(2)
	e.Clock.T = apitest.T0.Add(90 * time.Second)
	apitest.Call(t, h, e.Event("POST", "/leases/"+beating.LeaseID+"/heartbeat", &apitest.CI, nil)).
		Want(t, http.StatusOK, "")
	apitest.Call(t, h, e.Event("POST", "/leases/"+released.LeaseID+"/terminate", &apitest.CI, nil)).
		Want(t, http.StatusOK, "")
	e.Events()

	e.Clock.T = apitest.T0.Add(3 * time.Minute)
	t.Run("the heartbeat index returns only the overdue lease", func(t *testing.T) {
		got, err := e.Store.Leases().Overdue(ctx, e.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Key.ID() != silent.LeaseID {
			t.Fatalf("overdue = %+v, want only %s", got, silent.LeaseID)
		}
	})
	r := reaper.Reaper{Leases: e.Store.Leases(), Ender: svc, Now: e.Clock.Now}
	t.Run("the silent lease is ended with the heartbeat reason, the beating one kept", func(t *testing.T) {
		res, err := r.Run(ctx)
		if err != nil || res.Ended != 1 {
			t.Fatalf("run = %+v, %v", res, err)
		}
		got, _ := e.Store.Leases().Get(ctx, mustKey(t, silent.LeaseID))
		if got.Status != lease.Expired || got.HeartbeatDeadline != nil || got.TTL == 0 {
			t.Fatalf("silent lease = %+v", got)
		}
		evs := e.Events()
		if !slices.Equal(types(evs), []string{names.LeaseTerminated}) {
			t.Fatalf("events = %v", types(evs))
		}
		ev := evs[0].Event.(isbevents.LeaseTerminated)
		if ev.Reason.Type != isbevents.TerminationHeartbeatTimedOut || ev.AccountID != silent.AwsAccountID {
			t.Fatalf("LeaseTerminated = %+v", ev)
		}
		for _, id := range []string{beating.LeaseID, plain.LeaseID} {
			if l, _ := e.Store.Leases().Get(ctx, mustKey(t, id)); l.Status != lease.Active {
				t.Fatalf("lease %s = %s, want Active", id, l.Status)
			}
		}
		if n, _ := e.Store.Leases().Count(ctx, apitest.CI.Email); n != 2 {
			t.Fatalf("%d leases counted, want 2", n)
		}
	})
	t.Run("a second run changes nothing", func(t *testing.T) {
		res, err := r.Run(ctx)
		if err != nil || res != (reaper.Result{}) {
			t.Fatalf("run = %+v, %v", res, err)
		}
		if evs := e.Events(); len(evs) != 0 {
			t.Fatalf("events = %v", types(evs))
		}
	})
	t.Run("a lease that beat after the index listed it is kept", func(t *testing.T) {
		e.Clock.T = apitest.T0.Add(10 * time.Minute)
		listed, err := e.Store.Leases().Overdue(ctx, e.Clock.Now())
		if err != nil || len(listed) != 1 || listed[0].Key.ID() != beating.LeaseID {
			t.Fatalf("overdue = %+v, %v", listed, err)
		}
		apitest.Call(t, h, e.Event("POST", "/leases/"+beating.LeaseID+"/heartbeat", &apitest.CI, nil)).
			Want(t, http.StatusOK, "")
		stale := reaper.Reaper{Leases: fixedList(listed), Ender: svc, Now: e.Clock.Now}
		res, err := stale.Run(ctx)
		if err != nil || res.Ended != 0 || res.Kept != 1 {
			t.Fatalf("run = %+v, %v", res, err)
		}
		if l, _ := e.Store.Leases().Get(ctx, mustKey(t, beating.LeaseID)); l.Status != lease.Active {
			t.Fatalf("the beating lease was ended: %s", l.Status)
		}
	})
}

// fixedList answers the leases an earlier query listed, as an index that
// has not caught up yet would.
type fixedList []lease.Lease

func (f fixedList) Overdue(context.Context, time.Time) ([]lease.Lease, error) { return f, nil }
