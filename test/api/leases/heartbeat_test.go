package leases_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/common/template"
	"github.com/isb-go/isb/functions/api-leases/leasesapi"
	"github.com/isb-go/isb/test/api/apitest"
)

// beatTemplate stores an auto-approved template whose leases may beat for
// at most maxMinutes, by default defMinutes (0: none).
func beatTemplate(t *testing.T, e *apitest.Env, defMinutes, maxMinutes int) template.Template {
	t.Helper()
	spend, hours := 40.0, 24.0
	tpl, err := e.Store.Templates().Create(context.Background(), template.Template{
		UUID: uuid.NewString(), Name: "ci-beat", Visibility: template.Public, CreatedBy: apitest.Manager.Email,
		Terms:     lease.Terms{MaxSpend: &spend, LeaseDurationInHours: &hours},
		Heartbeat: lease.Heartbeat{DefaultMinutes: defMinutes, MaxMinutes: maxMinutes},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestAPipelineLeasesWithAHeartbeatAndBeats(t *testing.T) {
	e, h := setup(t)
	e.SetGlobal("maintenanceMode: false\nleases:\n  maxLeasesPerUser: 10\n")
	e.Pool(3)
	tpl := beatTemplate(t, e, 0, 30)
	ask := func(minutes int) map[string]any {
		return map[string]any{"leaseTemplateUuid": tpl.UUID, "heartbeatTimeoutMinutes": minutes}
	}
	call := func(method, path string, c *auth.Caller, body any) apitest.Result {
		return apitest.Call(t, h, e.Event(method, path, c, body))
	}

	var leased leasesapi.Lease
	t.Run("a request asking for 2 minutes gets them and a deadline 2 minutes after the grant", func(t *testing.T) {
		r := call("POST", "/leases", &apitest.CI, ask(2))
		r.Want(t, http.StatusCreated, "")
		r.Into(t, &leased)
		if leased.HeartbeatTimeoutMinutes != 2 || leased.HeartbeatDeadline == nil ||
			!leased.HeartbeatDeadline.Equal(apitest.T0.Add(2*time.Minute)) {
			t.Fatalf("lease = %+v", leased)
		}
	})
	t.Run("a request above the template's maximum is refused naming the field", func(t *testing.T) {
		call("POST", "/leases", &apitest.CI, ask(31)).Want(t, http.StatusBadRequest, "heartbeatTimeoutMinutes")
	})
	t.Run("a beat moves the deadline to now plus the timeout", func(t *testing.T) {
		e.Clock.T = apitest.T0.Add(90 * time.Second)
		defer func() { e.Clock.T = apitest.T0 }()
		r := call("POST", "/leases/"+leased.LeaseID+"/heartbeat", &apitest.CI, nil)
		r.Want(t, http.StatusOK, "")
		var got leasesapi.Lease
		r.Into(t, &got)
		want := apitest.T0.Add(90*time.Second + 2*time.Minute)
		if got.HeartbeatDeadline == nil || !got.HeartbeatDeadline.Equal(want) || got.Status != string(lease.Active) {
			t.Fatalf("lease = %+v, want deadline %v", got, want)
		}
		stored, err := e.Store.Leases().Get(context.Background(), mustKey(t, leased.LeaseID))
		if err != nil || stored.HeartbeatDeadline == nil || !stored.HeartbeatDeadline.Equal(want) {
			t.Fatalf("stored = %+v, %v", stored, err)
		}
	})
	t.Run("nobody but the lessee beats, managers and admins included", func(t *testing.T) {
		for _, c := range []*auth.Caller{&apitest.Other, &apitest.Manager, &apitest.Admin} {
			call("POST", "/leases/"+leased.LeaseID+"/heartbeat", c, nil).Want(t, http.StatusForbidden, "")
		}
	})
	t.Run("a lease without a heartbeat is a 400", func(t *testing.T) {
		var plain leasesapi.Lease
		r := call("POST", "/leases", &apitest.CI, request(tpl.UUID))
		r.Want(t, http.StatusCreated, "")
		r.Into(t, &plain)
		if plain.HeartbeatTimeoutMinutes != 0 || plain.HeartbeatDeadline != nil {
			t.Fatalf("a template without a default gave a heartbeat: %+v", plain)
		}
		call("POST", "/leases/"+plain.LeaseID+"/heartbeat", &apitest.CI, nil).
			Want(t, http.StatusBadRequest, "heartbeatTimeoutMinutes")
	})
	t.Run("an unknown lease is a 404", func(t *testing.T) {
		id := lease.Key{UserEmail: apitest.CI.Email, UUID: uuid.NewString()}.ID()
		call("POST", "/leases/"+id+"/heartbeat", &apitest.CI, nil).Want(t, http.StatusNotFound, "")
	})
	t.Run("an ended lease is a 409 naming its status, and keeps no deadline", func(t *testing.T) {
		call("POST", "/leases/"+leased.LeaseID+"/terminate", &apitest.CI, nil).Want(t, http.StatusOK, "")
		r := call("POST", "/leases/"+leased.LeaseID+"/heartbeat", &apitest.CI, nil)
		r.Want(t, http.StatusConflict, "")
		if !strings.Contains(string(r.Raw), string(lease.ManuallyTerminated)) {
			t.Fatalf("the 409 does not name the status: %s", r.Raw)
		}
		stored, err := e.Store.Leases().Get(context.Background(), mustKey(t, leased.LeaseID))
		if err != nil || stored.HeartbeatDeadline != nil {
			t.Fatalf("stored = %+v, %v", stored, err)
		}
	})
}

func TestATemplateDefaultGivesEveryRequestAHeartbeat(t *testing.T) {
	e, h := setup(t)
	e.Pool(1)
	tpl := beatTemplate(t, e, 5, 0)
	got := requestLease(t, e, h, &apitest.CI, tpl.UUID)
	if got.HeartbeatTimeoutMinutes != 5 || got.HeartbeatDeadline == nil ||
		!got.HeartbeatDeadline.Equal(apitest.T0.Add(5*time.Minute)) {
		t.Fatalf("lease = %+v", got)
	}
}

// racing is the lease store with a status change injected between the
// service's read of a lease and its heartbeat write.
type racing struct {
	leasing.Leases
	between func(lease.Lease)
}

func (r racing) Get(ctx context.Context, k lease.Key) (lease.Lease, error) {
	l, err := r.Leases.Get(ctx, k)
	if err == nil && r.between != nil {
		r.between(l)
	}
	return l, err
}

func TestAHeartbeatNeverUndoesAConcurrentStatusChange(t *testing.T) {
	ctx := context.Background()
	e := apitest.New(t)
	e.Pool(1)
	tpl := beatTemplate(t, e, 0, 30)
	plain := leasing.Deps{Leases: e.Store.Leases(), Granter: e.Store, Templates: e.Store.Templates(),
		Config: e.Config, Outbox: e.Relay, Now: e.Clock.Now, NewID: e.NewID}
	h := e.Server(routes.Leases, leasesapi.Handlers(leasing.New(plain), sessions(e)))
	var leased leasesapi.Lease
	r := apitest.Call(t, h, e.Event("POST", "/leases", &apitest.CI,
		map[string]any{"leaseTemplateUuid": tpl.UUID, "heartbeatTimeoutMinutes": 2}))
	r.Want(t, http.StatusCreated, "")
	r.Into(t, &leased)
	k := mustKey(t, leased.LeaseID)

	// A manager terminates the lease after the heartbeat read it.
	svc := leasing.New(plain)
	injected := 0
	raced := plain
	raced.Leases = racing{Leases: e.Store.Leases(), between: func(lease.Lease) {
		if injected > 0 {
			return
		}
		injected++
		if _, err := svc.Terminate(ctx, apitest.Manager, k); err != nil {
			t.Errorf("injected termination: %v", err)
		}
	}}
	e.Clock.T = apitest.T0.Add(time.Minute)
	hr := e.Server(routes.Leases, leasesapi.Handlers(leasing.New(raced), sessions(e)))
	res := apitest.Call(t, hr, e.Event("POST", "/leases/"+leased.LeaseID+"/heartbeat", &apitest.CI, nil))
	res.Want(t, http.StatusConflict, "")
	if injected != 1 || !strings.Contains(string(res.Raw), string(lease.ManuallyTerminated)) {
		t.Fatalf("injected %d; answer %s", injected, res.Raw)
	}
	stored, err := e.Store.Leases().Get(ctx, k)
	if err != nil || stored.Status != lease.ManuallyTerminated || stored.HeartbeatDeadline != nil {
		t.Fatalf("the beat undid the termination: %+v, %v", stored, err)
	}
}

func TestAWriterThatReadBeforeABeatCannotPutTheOldDeadlineBack(t *testing.T) {
	ctx := context.Background()
	e := apitest.New(t)
	e.Pool(1)
	tpl := beatTemplate(t, e, 2, 0)
	h := e.Server(routes.Leases, leasesapi.Handlers(leasing.New(leasing.Deps{Leases: e.Store.Leases(),
		Granter: e.Store, Templates: e.Store.Templates(), Config: e.Config, Outbox: e.Relay,
		Now: e.Clock.Now, NewID: e.NewID}), sessions(e)))
	leased := requestLease(t, e, h, &apitest.CI, tpl.UUID)
	k := mustKey(t, leased.LeaseID)
	before, err := e.Store.Leases().Get(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.T = apitest.T0.Add(time.Minute)
	apitest.Call(t, h, e.Event("POST", "/leases/"+leased.LeaseID+"/heartbeat", &apitest.CI, nil)).
		Want(t, http.StatusOK, "")
	stale := before
	stale.TotalCostAccrued = 3
	if _, err := e.Store.Leases().Save(ctx, before, stale); err == nil {
		t.Fatal("a save from before the beat succeeded and put the old deadline back")
	}
	stored, _ := e.Store.Leases().Get(ctx, k)
	want := apitest.T0.Add(3 * time.Minute)
	if stored.HeartbeatDeadline == nil || !stored.HeartbeatDeadline.Equal(want) {
		t.Fatalf("deadline = %v, want %v", stored.HeartbeatDeadline, want)
	}
}

func mustKey(t *testing.T, id string) lease.Key {
	t.Helper()
	k, err := lease.ParseID(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
