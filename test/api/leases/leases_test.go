// Package leases_test drives the /leases routes through the real handler,
// leasing service and stores against the emulator.
package leases_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/auth"
	isbevents "github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/lessee"
	"github.com/isb-go/isb/common/lessee/stsassume"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/common/template"
	"github.com/isb-go/isb/functions/api-leases/leasesapi"
	"github.com/isb-go/isb/test/api/apitest"
	"github.com/isb-go/isb/test/fixture"
)

func setup(t *testing.T) (*apitest.Env, apitest.Handler) {
	t.Helper()
	e := apitest.New(t)
	svc := leasing.New(leasing.Deps{Leases: e.Store.Leases(), Granter: e.Store, Templates: e.Store.Templates(),
		Config: e.Config, Outbox: e.Relay, Now: e.Clock.Now, NewID: e.NewID})
	return e, e.Server(routes.Leases, leasesapi.Handlers(svc, sessions(e)))
}

// sessions hands out lessee sessions through the emulator's STS, as the
// function does: the hub's lessee hop, then the lessee role.
func sessions(e *apitest.Env) *lessee.Service {
	return lessee.New(e.Store.Leases(), stsassume.New(e.Cfg, fixture.Namespace, fixture.HubAccount,
		names.LambdaAPILeases), e.Clock.Now)
}

func request(tpl string) map[string]any { return map[string]any{"leaseTemplateUuid": tpl} }

// requestLease has caller request a lease of the template tpl and returns
// the lease the API answers with.
func requestLease(t *testing.T, e *apitest.Env, h apitest.Handler, caller *auth.Caller, tpl string) leasesapi.Lease {
	t.Helper()
	l := apitest.Decode[leasesapi.Lease](t, h, e.Event("POST", "/leases", caller, request(tpl)))
	return l
}

// limited is a pool of n accounts under a limit of that many leases a user, with
// an auto-approved and a manually approved template.
func limited(t *testing.T, limit, n int) (e *apitest.Env, h apitest.Handler, auto, manual template.Template) {
	t.Helper()
	e, h = setup(t)
	e.SetGlobal(fmt.Sprintf("maintenanceMode: false\nleases:\n  maxLeasesPerUser: %d\n", limit))
	e.Pool(n)
	return e, h, e.Template("ci", false, template.Public), e.Template("manual", true, template.Public)
}

// succeeded counts the statuses that are ok; every other one must be a 409
// (the request lost a race).
func succeeded(t *testing.T, statuses []int, ok int) int {
	t.Helper()
	n := 0
	for _, s := range statuses {
		switch s {
		case ok:
			n++
		case http.StatusConflict:
		default:
			t.Fatalf("statuses = %v", statuses)
		}
	}
	return n
}

func types(rs []fixture.Received) []string { return fixture.DetailTypes(rs) }

func TestAPipelineLeasesAnAccountAndReleasesIt(t *testing.T) {
	e, h := setup(t)
	pool := e.Pool(2)
	tpl := e.Template("ci", false, template.Public)

	var leased leasesapi.Lease
	t.Run("the request is granted at once from the pool", func(t *testing.T) {
		r := apitest.Call(t, h, e.Event("POST", "/leases", &apitest.CI, request(tpl.UUID)))
		r.Want(t, http.StatusCreated, "")
		r.Into(t, &leased)
		if leased.Status != string(lease.Active) || !slices.Contains(pool, leased.AwsAccountID) ||
			leased.ApprovedBy != lease.AutoApproved {
			t.Fatalf("lease = %+v", leased)
		}
		if leased.ExpirationDate == nil || !leased.ExpirationDate.Equal(apitest.T0.Add(24*60*60*1e9)) {
			t.Fatalf("expiration = %v, want start + 24 h", leased.ExpirationDate)
		}
		acct, err := e.Store.Accounts().Get(context.Background(), leased.AwsAccountID)
		if err != nil || acct.Status != account.Active || acct.Lease == nil || acct.Lease.ID() != leased.LeaseID {
			t.Fatalf("account = %+v, %v", acct, err)
		}
		got := e.Events()
		if !slices.Equal(types(got), []string{names.LeaseApproved}) {
			t.Fatalf("events = %v", types(got))
		}
		if ev := got[0].Event.(isbevents.LeaseApproved); ev.AccountID != leased.AwsAccountID ||
			ev.ApprovedBy != lease.AutoApproved {
			t.Fatalf("LeaseApproved = %+v", ev)
		}
		if n := e.Outboxed(); n != 0 {
			t.Fatalf("outbox holds %d delivered records", n)
		}
	})
	t.Run("the pipeline reads its lease", func(t *testing.T) {
		got := apitest.Decode[leasesapi.Lease](t, h, e.Event("GET", "/leases/"+leased.LeaseID, &apitest.CI, nil))
		if got.AwsAccountID != leased.AwsAccountID {
			t.Fatalf("lease = %+v", got)
		}
	})
	t.Run("the pipeline terminates its own lease", func(t *testing.T) {
		got := apitest.Decode[leasesapi.Lease](t, h, e.Event("POST", "/leases/"+leased.LeaseID+"/terminate", &apitest.CI, nil))
		if got.Status != string(lease.ManuallyTerminated) || got.EndDate == nil || got.TTL == 0 {
			t.Fatalf("lease = %+v", got)
		}
		evs := e.Events()
		if !slices.Equal(types(evs), []string{names.LeaseTerminated}) {
			t.Fatalf("events = %v", types(evs))
		}
		if ev := evs[0].Event.(isbevents.LeaseTerminated); ev.AccountID != leased.AwsAccountID ||
			ev.Reason.Type != isbevents.TerminationManual {
			t.Fatalf("LeaseTerminated = %+v", ev)
		}
		if n, _ := e.Store.Leases().Count(context.Background(), apitest.CI.Email); n != 0 {
			t.Fatalf("the pipeline still has %d leases counted", n)
		}
	})
	t.Run("terminating it again is a conflict", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/leases/"+leased.LeaseID+"/terminate", &apitest.CI, nil)).
			Want(t, http.StatusConflict, "")
	})
}

func TestAnEmptyPoolAnswers409WithRetryAfterAndWritesNothing(t *testing.T) {
	e, h := setup(t)
	tpl := e.Template("ci", false, template.Public)
	r := apitest.Call(t, h, e.Event("POST", "/leases", &apitest.CI, request(tpl.UUID)))
	r.Want(t, http.StatusConflict, "")
	if r.Headers["Retry-After"] == "" || len(r.Errors) != 1 || r.Errors[0].Message == "" {
		t.Fatalf("response = %+v", r)
	}
	ls, _, err := e.Store.Leases().ListByUser(context.Background(), apitest.CI.Email, page.Page{})
	if err != nil || len(ls) != 0 {
		t.Fatalf("leases after a refused request = %v, %v", ls, err)
	}
	if n, _ := e.Store.Leases().Count(context.Background(), apitest.CI.Email); n != 0 {
		t.Fatalf("lease count = %d", n)
	}
	if got := e.Events(); len(got) != 0 || e.Outboxed() != 0 {
		t.Fatalf("events = %v", types(got))
	}
}

func TestTheLeaseLimitIsNamedInThe409(t *testing.T) {
	e, h, auto, manual := limited(t, 1, 3)
	apitest.Call(t, h, e.Event("POST", "/leases", &apitest.CI, request(auto.UUID))).Want(t, http.StatusCreated, "")
	t.Run("an auto-approved request over the limit is refused", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/leases", &apitest.CI, request(auto.UUID))).
			Want(t, http.StatusConflict, "maxLeasesPerUser")
	})
	t.Run("a request needing approval over the limit is refused", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/leases", &apitest.CI, request(manual.UUID))).
			Want(t, http.StatusConflict, "maxLeasesPerUser")
	})
	t.Run("nothing of the refused requests was written", func(t *testing.T) {
		ls, _, _ := e.Store.Leases().ListByUser(context.Background(), apitest.CI.Email, page.Page{})
		if len(ls) != 1 {
			t.Fatalf("the pipeline has %d leases, want 1", len(ls))
		}
	})
}

func TestALimitOfZeroStopsEveryNewRequest(t *testing.T) {
	e, h, auto, manual := limited(t, 0, 2)
	for _, tpl := range []string{auto.UUID, manual.UUID} {
		apitest.Call(t, h, e.Event("POST", "/leases", &apitest.CI, request(tpl))).
			Want(t, http.StatusConflict, "maxLeasesPerUser")
	}
	if ls, _, _ := e.Store.Leases().ListByUser(context.Background(), apitest.CI.Email, page.Page{}); len(ls) != 0 {
		t.Fatalf("%d leases written, want none", len(ls))
	}
}

func TestAMachineIdentityRequestsUpToItsOwnLeaseLimit(t *testing.T) {
	e, h := setup(t)
	e.SetGlobal("maintenanceMode: false\nleases:\n  maxLeasesPerUser: 1\nauth:\n  machineIdentities:\n" +
		"  - {principal: 'arn:aws:iam::123456789012:role/ci', owner: ci-pipeline@example.com, maxLeases: 3}\n")
	e.Pool(5)
	auto := e.Template("ci", false, template.Public)
	machine := apitest.CI
	machine.Principal = "arn:aws:sts::123456789012:assumed-role/ci/job-1"
	for range 3 {
		apitest.Call(t, h, e.Event("POST", "/leases", &machine, request(auto.UUID))).Want(t, http.StatusCreated, "")
	}
	t.Run("the fourth request is over the identity's limit", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/leases", &machine, request(auto.UUID))).
			Want(t, http.StatusConflict, "maxLeasesPerUser")
	})
	t.Run("the owner signed in as a person keeps the per-user limit", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/leases", &apitest.CI, request(auto.UUID))).
			Want(t, http.StatusConflict, "maxLeasesPerUser")
	})
}

func TestApprovalIsNeverBypassed(t *testing.T) {
	e, h := setup(t)
	e.Pool(1)
	tpl := e.Template("needs approval", true, template.Public)
	body := map[string]any{"leaseTemplateUuid": tpl.UUID, "userEmail": apitest.Dev.Email, "comments": "for the demo"}
	var l leasesapi.Lease
	r := apitest.Call(t, h, e.Event("POST", "/leases", &apitest.Dev, body))
	r.Want(t, http.StatusCreated, "")
	r.Into(t, &l)
	if l.Status != string(lease.PendingApproval) || l.AwsAccountID != "" || l.CreatedBy != apitest.Dev.Email {
		t.Fatalf("a user naming their own email got %+v", l)
	}
	evs := e.Events()
	if !slices.Equal(types(evs), []string{names.LeaseRequested}) ||
		evs[0].Event.(isbevents.LeaseRequested).Comments != "for the demo" {
		t.Fatalf("events = %s", fixture.JSON(evs))
	}
}

func TestRequestsAreRefusedWithTheRightStatus(t *testing.T) {
	e, h := setup(t)
	public := e.Template("public", true, template.Public)
	private := e.Template("private", true, template.Private)
	cases := []struct {
		name   string
		ev     events.APIGatewayProxyRequest
		status int
		field  string
	}{
		{
			"a request without a token is 401",
			e.Event("POST", "/leases", nil, request(public.UUID)),
			401,
			"Authorization",
		},
		{"a request with a forged token is 401", func() events.APIGatewayProxyRequest {
			ev := e.Event("POST", "/leases", &apitest.Dev, request(public.UUID))
			ev.Headers["Authorization"] += "x"
			return ev
		}(), 401, "Authorization"},
		{"a body that is not JSON by content type is 415", func() events.APIGatewayProxyRequest {
			ev := e.Event("POST", "/leases", &apitest.Dev, request(public.UUID))
			ev.Headers["Content-Type"] = "text/plain"
			return ev
		}(), 415, "Content-Type"},
		{
			"an unknown field is 400 naming it",
			e.Event(
				"POST",
				"/leases",
				&apitest.Dev,
				map[string]any{"leaseTemplateUuid": public.UUID, "approved": true},
			),
			400,
			"approved",
		},
		{
			"a template id that is not a UUID is 400 naming it",
			e.Event("POST", "/leases", &apitest.Dev, request("nope")),
			400,
			"leaseTemplateUuid",
		},
		{
			"a field of the wrong type is 400 naming it",
			e.Event("POST", "/leases", &apitest.Dev, `{"leaseTemplateUuid": 7}`),
			400,
			"leaseTemplateUuid",
		},
		{
			"a body that does not parse is 400",
			e.Event("POST", "/leases", &apitest.Dev, `{"leaseTemplateUuid":`),
			400,
			"body",
		},
		{
			"an unknown template is 404",
			e.Event("POST", "/leases", &apitest.Dev, request("00000000-0000-4000-8000-000000000000")),
			404,
			"",
		},
		{
			"a private template is 404 for a user",
			e.Event("POST", "/leases", &apitest.Dev, request(private.UUID)),
			404,
			"",
		},
		{
			"a user requesting for someone else is 403",
			e.Event(
				"POST",
				"/leases",
				&apitest.Dev,
				map[string]any{"leaseTemplateUuid": public.UUID, "userEmail": apitest.Other.Email},
			),
			403,
			"",
		},
		{
			"a user listing someone else's leases is 403",
			e.Event("GET", "/leases?userEmail=other@example.com", &apitest.Dev, nil),
			403,
			"",
		},
		{
			"a page size out of range is 400 naming it",
			e.Event("GET", "/leases?pageSize=0", &apitest.Dev, nil),
			400,
			"pageSize",
		},
		{"a forged page token is 400", e.Event("GET", "/leases?pageIdentifier=abc", &apitest.Dev, nil), 400, ""},
		{
			"an unknown lease is 404",
			e.Event(
				"GET",
				"/leases/"+lease.Key{UserEmail: "dev@example.com", UUID: unknownUUID}.ID(),
				&apitest.Dev,
				nil,
			),
			404,
			"",
		},
		{
			"a lease id that does not decode is 400 naming it",
			e.Event("GET", "/leases/%%%", &apitest.Dev, nil),
			400,
			"leaseId",
		},
		{
			"a user reviewing is 403",
			e.Event(
				"POST",
				"/leases/"+lease.Key{UserEmail: "dev@example.com", UUID: unknownUUID}.ID()+"/review",
				&apitest.Dev,
				map[string]any{"action": "Approve"},
			),
			403,
			"",
		},
		{"a wrong method is 405", e.Event("DELETE", "/leases", &apitest.Dev, nil), 405, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apitest.Call(t, h, tc.ev).Want(t, tc.status, tc.field)
		})
	}
	t.Run("a privileged user may request for someone else", func(t *testing.T) {
		forDev := map[string]any{"leaseTemplateUuid": private.UUID, "userEmail": "Dev@Example.com"}
		l := apitest.Decode[leasesapi.Lease](t, h, e.Event("POST", "/leases", &apitest.Manager, forDev))
		if l.UserEmail != apitest.Dev.Email || l.CreatedBy != apitest.Manager.Email ||
			l.Status != string(lease.PendingApproval) {
			t.Fatalf("lease = %+v", l)
		}
	})
}

func TestManagersReviewPendingLeases(t *testing.T) {
	e, h := setup(t)
	tpl := e.Template("manual", true, template.Public)
	pending := func(c auth.Caller) leasesapi.Lease {
		t.Helper()
		l := requestLease(t, e, h, &c, tpl.UUID)
		return l
	}
	a, b := pending(apitest.Dev), pending(apitest.Other)
	e.Events()
	review := func(l leasesapi.Lease, action string) apitest.Result {
		return apitest.Call(
			t,
			h,
			e.Event("POST", "/leases/"+l.LeaseID+"/review", &apitest.Manager, map[string]any{"action": action}),
		)
	}
	t.Run("approving with an empty pool is 409 and the lease stays pending", func(t *testing.T) {
		r := review(a, "Approve")
		r.Want(t, http.StatusConflict, "")
		if r.Headers["Retry-After"] == "" {
			t.Fatal("no Retry-After")
		}
		l, _ := e.Store.Leases().Get(context.Background(), lease.Key{UserEmail: a.UserEmail, UUID: a.UUID})
		if l.Status != lease.PendingApproval {
			t.Fatalf("status = %s", l.Status)
		}
	})
	e.Pool(1)
	t.Run("an approval grants an account", func(t *testing.T) {
		var l leasesapi.Lease
		review(a, "Approve").Into(t, &l)
		if l.Status != string(lease.Active) || l.ApprovedBy != apitest.Manager.Email || l.AwsAccountID == "" {
			t.Fatalf("lease = %+v", l)
		}
		if got := types(e.Events()); !slices.Equal(got, []string{names.LeaseApproved}) {
			t.Fatalf("events = %v", got)
		}
	})
	t.Run("reviewing a lease that is not pending is 409", func(t *testing.T) {
		review(a, "Deny").Want(t, http.StatusConflict, "")
	})
	t.Run("a denial ends the request", func(t *testing.T) {
		var l leasesapi.Lease
		review(b, "Deny").Into(t, &l)
		if l.Status != string(lease.ApprovalDenied) || l.TTL == 0 {
			t.Fatalf("lease = %+v", l)
		}
		evs := e.Events()
		if !slices.Equal(types(evs), []string{names.LeaseDenied}) ||
			evs[0].Event.(isbevents.LeaseDenied).DeniedBy != apitest.Manager.Email {
			t.Fatalf("events = %s", fixture.JSON(evs))
		}
	})
	t.Run("an unknown action is 400 naming it", func(t *testing.T) {
		review(b, "Maybe").Want(t, http.StatusBadRequest, "action")
	})
}

func TestUsersSeeOnlyTheirOwnLeases(t *testing.T) {
	e, h := setup(t)
	tpl := e.Template("manual", true, template.Public)
	var mine, theirs leasesapi.Lease
	apitest.Call(t, h, e.Event("POST", "/leases", &apitest.Dev, request(tpl.UUID))).Into(t, &mine)
	apitest.Call(t, h, e.Event("POST", "/leases", &apitest.Other, request(tpl.UUID))).Into(t, &theirs)
	list := func(c auth.Caller, q string) []leasesapi.Lease {
		t.Helper()
		p := apitest.Decode[apitest.Page[leasesapi.Lease]](t, h, e.Event("GET", "/leases"+q, &c, nil))
		return p.Result
	}
	if got := list(apitest.Dev, ""); len(got) != 1 || got[0].LeaseID != mine.LeaseID {
		t.Fatalf("a user's listing = %+v", got)
	}
	if got := list(apitest.Manager, ""); len(got) != 2 {
		t.Fatalf("a manager's listing has %d leases, want 2", len(got))
	}
	if got := list(apitest.Manager, "?userEmail=other@example.com"); len(got) != 1 || got[0].LeaseID != theirs.LeaseID {
		t.Fatalf("a manager's listing of one user = %+v", got)
	}
	t.Run("reading someone else's lease is 403", func(t *testing.T) {
		apitest.Call(t, h, e.Event("GET", "/leases/"+theirs.LeaseID, &apitest.Dev, nil)).
			Want(t, http.StatusForbidden, "")
	})
	t.Run("terminating someone else's lease is 403", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/leases/"+theirs.LeaseID+"/terminate", &apitest.Dev, nil)).
			Want(t, http.StatusForbidden, "")
	})
	t.Run("a user withdraws their own pending request", func(t *testing.T) {
		l := apitest.Decode[leasesapi.Lease](t, h, e.Event("POST", "/leases/"+mine.LeaseID+"/terminate", &apitest.Dev, nil))
		if l.Status != string(lease.ManuallyTerminated) {
			t.Fatalf("lease = %+v", l)
		}
	})
	t.Run("pages are cut at the page size and continue with the token", func(t *testing.T) {
		p := apitest.Decode[apitest.Page[leasesapi.Lease]](t, h, e.Event("GET", "/leases?pageSize=1", &apitest.Manager, nil))
		if len(p.Result) != 1 || p.Next == nil {
			t.Fatalf("first page = %+v", p)
		}
		first := p.Result[0].LeaseID
		apitest.Call(t, h, e.Event("GET", "/leases?pageSize=1&pageIdentifier="+*p.Next, &apitest.Manager, nil)).
			Into(t, &p)
		if len(p.Result) != 1 || p.Result[0].LeaseID == first {
			t.Fatalf("second page = %+v", p)
		}
	})
}

func TestManagersChangeFreezeAndUnfreezeLeases(t *testing.T) {
	e, h := setup(t)
	e.Pool(1)
	tpl := e.Template("ci", false, template.Public)
	l := requestLease(t, e, h, &apitest.Dev, tpl.UUID)
	e.Events()
	path := "/leases/" + l.LeaseID
	t.Run("a patch changes the budget and the report group", func(t *testing.T) {
		got := apitest.Decode[leasesapi.Lease](t, h, e.Event("PATCH", path, &apitest.Manager, map[string]any{"maxSpend": 45, "costReportGroup": "research"}))
		if got.MaxSpend == nil || *got.MaxSpend != 45 || got.CostReportGroup == nil ||
			*got.CostReportGroup != "research" ||
			got.Version != l.Version+1 {
			t.Fatalf("lease = %+v", got)
		}
	})
	t.Run("null clears a field", func(t *testing.T) {
		got := apitest.Decode[leasesapi.Lease](t, h, e.Event("PATCH", path, &apitest.Manager, `{"costReportGroup": null}`))
		if got.CostReportGroup != nil {
			t.Fatalf("lease = %+v", got)
		}
	})
	patchErrors := []struct {
		name, body, field string
	}{
		{"a budget over the global maximum is 400 naming it", `{"maxSpend": 5000}`, "maxSpend"},
		{"an unknown report group is 400 naming it", `{"costReportGroup": "nope"}`, "costReportGroup"},
		{
			"a threshold of the wrong shape is 400 naming its field",
			`{"budgetThresholds": [{"dollarsSpent": "ten", "action": "ALERT"}]}`,
			"budgetThresholds.dollarsSpent",
		},
		{"an expiration date that is not a date is 400 naming it", `{"expirationDate": "tomorrow"}`, "expirationDate"},
		{"an unknown field is 400 naming it", `{"status": "Active"}`, "status"},
	}
	for _, tc := range patchErrors {
		t.Run(tc.name, func(t *testing.T) {
			apitest.Call(t, h, e.Event("PATCH", path, &apitest.Manager, tc.body)).
				Want(t, http.StatusBadRequest, tc.field)
		})
	}
	t.Run("a user may not patch", func(t *testing.T) {
		apitest.Call(t, h, e.Event("PATCH", path, &apitest.Dev, `{"maxSpend": 10}`)).Want(t, http.StatusForbidden, "")
	})
	t.Run("an expiration of 35 hours 36 minutes after the start is a duration of 35.6 hours", func(t *testing.T) {
		var got leasesapi.Lease
		exp := l.StartDate.Add(35*time.Hour + 36*time.Minute).UTC().Format(time.RFC3339)
		apitest.Call(t, h, e.Event("PATCH", path, &apitest.Manager, map[string]any{"expirationDate": exp})).Into(t, &got)
		if got.LeaseDurationInHours == nil || math.Abs(*got.LeaseDurationInHours-35.6) > 1e-9 {
			t.Fatalf("lease = %+v", got)
		}
	})
	t.Run("a freeze is recorded and announced", func(t *testing.T) {
		got := apitest.Decode[leasesapi.Lease](t, h, e.Event("POST", path+"/freeze", &apitest.Manager, nil))
		if got.Status != string(lease.Frozen) {
			t.Fatalf("lease = %+v", got)
		}
		evs := e.Events()
		if !slices.Equal(types(evs), []string{names.LeaseFrozen}) ||
			evs[0].Event.(isbevents.LeaseFrozen).Reason.Type != isbevents.FreezeManual {
			t.Fatalf("events = %s", fixture.JSON(evs))
		}
	})
	t.Run("freezing a frozen lease is 409", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", path+"/freeze", &apitest.Manager, nil)).Want(t, http.StatusConflict, "")
	})
	t.Run("an unfreeze makes it active again", func(t *testing.T) {
		got := apitest.Decode[leasesapi.Lease](t, h, e.Event("POST", path+"/unfreeze", &apitest.Admin, nil))
		if got.Status != string(lease.Active) {
			t.Fatalf("lease = %+v", got)
		}
		evs := e.Events()
		if !slices.Equal(types(evs), []string{names.LeaseUnfrozen}) {
			t.Fatalf("events = %v", types(evs))
		}
		// 35.6 hours is announced as the nearest whole hour.
		if d := evs[0].Event.(isbevents.LeaseUnfrozen).LeaseDurationInHours; d == nil || *d != 36 {
			t.Errorf("LeaseUnfrozen = %s, want leaseDurationInHours 36", fixture.JSON(evs[0].Event))
		}
	})
	t.Run("unfreezing an active lease is 409", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", path+"/unfreeze", &apitest.Manager, nil)).Want(t, http.StatusConflict, "")
	})
	t.Run("of concurrent terminations exactly one wins, the others lose the race with 409", func(t *testing.T) {
		statuses := apitest.Statuses(apitest.AtOnce(t, h, 5, func(int) events.APIGatewayProxyRequest {
			return e.Event("POST", path+"/terminate", &apitest.Manager, nil)
		}))
		won := succeeded(t, statuses, http.StatusOK)
		if won != 1 {
			t.Fatalf("statuses = %v, want exactly one 200", statuses)
		}
		if evs := types(e.Events()); !slices.Equal(evs, []string{names.LeaseTerminated}) {
			t.Fatalf("events = %v", evs)
		}
	})
}

func TestMaintenanceModeLocksOutEveryoneButAdmins(t *testing.T) {
	e, h := setup(t)
	e.SetGlobal("maintenanceMode: true\n")
	apitest.Call(t, h, e.Event("GET", "/leases", &apitest.Manager, nil)).Want(t, http.StatusForbidden, "")
	apitest.Call(t, h, e.Event("GET", "/leases", &apitest.Admin, nil)).Want(t, http.StatusOK, "")
}

func TestConcurrentAutoApprovedRequestsNeverExceedTheLimit(t *testing.T) {
	e, h := setup(t)
	e.Pool(10)
	tpl := e.Template("ci", false, template.Public)
	statuses := apitest.Statuses(apitest.AtOnce(t, h, 10, func(int) events.APIGatewayProxyRequest {
		return e.Event("POST", "/leases", &apitest.CI, request(tpl.UUID))
	}))
	created := succeeded(t, statuses, http.StatusCreated)
	ls, _, _ := e.Store.Leases().ListByUser(context.Background(), apitest.CI.Email, page.Page{})
	n, _ := e.Store.Leases().Count(context.Background(), apitest.CI.Email)
	active, _, _ := e.Store.Accounts().
		ListByStatus(context.Background(), page.StatusQuery{Status: string(account.Active)}, page.Page{})
	if created != 3 || len(ls) != 3 || n != 3 || len(active) != 3 {
		t.Fatalf(
			"created %d (statuses %v), stored %d leases, count %d, %d accounts active; want 3 of each",
			created,
			statuses,
			len(ls),
			n,
			len(active),
		)
	}
}

func TestALookAlikeEmailReachesNoOneElsesLeases(t *testing.T) {
	e, h := setup(t)
	e.Pool(1)
	tpl := e.Template("ci", false, template.Public)
	sam := auth.Caller{Email: "sam@example.com", Roles: []routes.Role{routes.User}}
	leased := requestLease(t, e, h, &sam, tpl.UUID)
	e.Events()

	as := func(tokenEmail string, ev events.APIGatewayProxyRequest) events.APIGatewayProxyRequest {
		ev.Headers["Authorization"] = "Bearer " + e.RawToken(
			map[string]any{"email": tokenEmail, "roles": []string{"User"}},
		)
		return ev
	}
	t.Run("the same kind of token for sam reads the lease", func(t *testing.T) {
		apitest.Call(t, h, as(sam.Email, e.Event("GET", "/leases/"+leased.LeaseID, nil, nil))).
			Want(t, http.StatusOK, "")
	})
	// "ſ" (U+017F) folds to "s" under strings.EqualFold; "Sam" is another
	// spelling. Neither token is sam's.
	for _, impostor := range []string{"ſam@example.com", "Sam@example.com", "SAM@EXAMPLE.COM"} {
		t.Run("a token for "+impostor+" is refused", func(t *testing.T) {
			for _, ev := range []events.APIGatewayProxyRequest{
				as(impostor, e.Event("GET", "/leases/"+leased.LeaseID, nil, nil)),
				as(impostor, e.Event("GET", "/leases", nil, nil)),
				as(impostor, e.Event("GET", "/leases?userEmail=sam@example.com", nil, nil)),
				as(impostor, e.Event("POST", "/leases/"+leased.LeaseID+"/terminate", nil, nil)),
			} {
				apitest.Call(t, h, ev).Want(t, http.StatusUnauthorized, "Authorization")
			}
		})
	}
	t.Run("the lease is untouched", func(t *testing.T) {
		l, err := e.Store.Leases().Get(context.Background(), lease.Key{UserEmail: sam.Email, UUID: leased.UUID})
		if err != nil || l.Status != lease.Active {
			t.Fatalf("lease = %+v, %v", l, err)
		}
		if got := e.Events(); len(got) != 0 {
			t.Fatalf("events = %v", types(got))
		}
	})
	t.Run("a manager naming a non-ASCII lessee is 400 naming userEmail", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/leases", &apitest.Manager, map[string]any{"leaseTemplateUuid": tpl.UUID, "userEmail": "ſam@example.com"})).
			Want(t, http.StatusBadRequest, "userEmail")
	})
	t.Run("a manager listing a non-ASCII user is 400 naming userEmail", func(t *testing.T) {
		apitest.Call(t, h, e.Event("GET", "/leases?userEmail=ſam@example.com", &apitest.Manager, nil)).
			Want(t, http.StatusBadRequest, "userEmail")
	})
	t.Run("a manager listing a user in capitals sees that user's leases", func(t *testing.T) {
		page := apitest.Decode[apitest.Page[leasesapi.Lease]](t, h, e.Event("GET", "/leases?userEmail=Sam@Example.com", &apitest.Manager, nil))
		if len(page.Result) != 1 || page.Result[0].LeaseID != leased.LeaseID {
			t.Fatalf("leases = %+v", page.Result)
		}
	})
	t.Run("a lease id spelling the email another way is not a lease id", func(t *testing.T) {
		id := lease.Key{UserEmail: "Sam@example.com", UUID: leased.UUID}.ID()
		apitest.Call(t, h, e.Event("GET", "/leases/"+id, &apitest.Manager, nil)).
			Want(t, http.StatusBadRequest, "leaseId")
	})
}

func TestAManagerDoesNotReviewTheirOwnRequest(t *testing.T) {
	e, h := setup(t)
	e.Pool(2)
	tpl := e.Template("manual", true, template.Public)
	second := auth.Caller{Email: "second-manager@example.com", Roles: []routes.Role{routes.Manager}}
	review := func(c auth.Caller, l leasesapi.Lease, action string) apitest.Result {
		return apitest.Call(t, h, e.Event("POST", "/leases/"+l.LeaseID+"/review", &c, map[string]any{"action": action}))
	}
	var own, onBehalf leasesapi.Lease
	apitest.Call(t, h, e.Event("POST", "/leases", &apitest.Manager, request(tpl.UUID))).Into(t, &own)
	apitest.Call(t, h, e.Event("POST", "/leases", &apitest.Manager, map[string]any{"leaseTemplateUuid": tpl.UUID, "userEmail": apitest.Dev.Email})).
		Into(t, &onBehalf)
	e.Events()

	for _, tc := range []struct {
		name   string
		l      *leasesapi.Lease
		action string
	}{
		{"approving their own lease is 403", &own, "Approve"},
		{"denying their own lease is 403", &own, "Deny"},
		{"approving a lease they requested for someone else is 403", &onBehalf, "Approve"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			review(apitest.Manager, *tc.l, tc.action).Want(t, http.StatusForbidden, "")
			l, err := e.Store.Leases().Get(context.Background(), lease.Key{UserEmail: tc.l.UserEmail, UUID: tc.l.UUID})
			if err != nil || l.Status != lease.PendingApproval {
				t.Fatalf("lease = %+v, %v; want it still pending", l, err)
			}
		})
	}
	t.Run("nothing was announced", func(t *testing.T) {
		if got := e.Events(); len(got) != 0 {
			t.Fatalf("events = %v", types(got))
		}
	})
	t.Run("another manager approves it", func(t *testing.T) {
		var l leasesapi.Lease
		review(second, own, "Approve").Into(t, &l)
		if l.Status != string(lease.Active) || l.ApprovedBy != second.Email {
			t.Fatalf("lease = %+v", l)
		}
	})
	t.Run("an admin denies the other", func(t *testing.T) {
		var l leasesapi.Lease
		review(apitest.Admin, onBehalf, "Deny").Into(t, &l)
		if l.Status != string(lease.ApprovalDenied) || l.ApprovedBy != apitest.Admin.Email {
			t.Fatalf("lease = %+v", l)
		}
	})
	t.Run("with fourEyesReview off a manager may approve their own", func(t *testing.T) {
		e.SetGlobal("maintenanceMode: false\nleases:\n  maxLeasesPerUser: 3\n  fourEyesReview: false\n")
		var mine, l leasesapi.Lease
		apitest.Call(t, h, e.Event("POST", "/leases", &apitest.Manager, request(tpl.UUID))).Into(t, &mine)
		review(apitest.Manager, mine, "Approve").Into(t, &l)
		if l.Status != string(lease.Active) || l.ApprovedBy != apitest.Manager.Email {
			t.Fatalf("lease = %+v", l)
		}
	})
}
