// Package templates_test drives the /leaseTemplates routes through the real
// handler, catalog service and store against the emulator.
package templates_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/isb-go/isb/common/catalog"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/common/template"
	"github.com/isb-go/isb/functions/api-lease-templates/templatesapi"
	"github.com/isb-go/isb/test/api/apitest"
)

func setup(t *testing.T) (*apitest.Env, apitest.Handler) {
	t.Helper()
	e := apitest.New(t)
	svc := catalog.New(e.Store.Templates(), e.Config, e.Clock.Now, e.NewID)
	return e, e.Server(routes.LeaseTemplates, templatesapi.Handlers(svc))
}

const good = `{"name": "CI", "requiresApproval": false, "maxSpend": 40, "leaseDurationInHours": 8,
  "budgetThresholds": [{"dollarsSpent": 30, "action": "ALERT"}], "costReportGroup": "platform"}`

func TestManagersCreateReadUpdateAndDeleteTemplates(t *testing.T) {
	e, h := setup(t)
	var created templatesapi.Template
	t.Run("a manager creates a template and is its creator", func(t *testing.T) {
		r := apitest.Call(t, h, e.Event("POST", "/leaseTemplates", &apitest.Manager, good))
		r.Want(t, http.StatusCreated, "")
		r.Into(t, &created)
		if created.CreatedBy != apitest.Manager.Email || created.Visibility != "PUBLIC" || created.Version != 1 ||
			created.UUID == "" {
			t.Fatalf("template = %+v", created)
		}
		stored, err := e.Store.Templates().Get(context.Background(), created.UUID)
		if err != nil || stored.CreatedBy != apitest.Manager.Email || *stored.MaxSpend != 40 {
			t.Fatalf("stored = %+v, %v", stored, err)
		}
	})
	t.Run("a user reads a public template", func(t *testing.T) {
		got := apitest.Decode[templatesapi.Template](t, h, e.Event("GET", "/leaseTemplates/"+created.UUID, &apitest.Dev, nil))
		if got.Name != "CI" {
			t.Fatalf("template = %+v", got)
		}
	})
	t.Run("an update keeps the id and the creator", func(t *testing.T) {
		var got templatesapi.Template
		apitest.Call(t, h, e.Event(
			"PUT",
			"/leaseTemplates/"+created.UUID,
			&apitest.Admin,
			`{"name": "CI v2", "requiresApproval": true, "visibility": "PRIVATE", "maxSpend": 20, "leaseDurationInHours": 4, "version": 1}`,
		)).Into(t, &got)
		if got.Name != "CI v2" || got.CreatedBy != apitest.Manager.Email || got.Version != 2 ||
			got.Visibility != "PRIVATE" {
			t.Fatalf("template = %+v", got)
		}
	})
	t.Run("an update from a stale read is 409", func(t *testing.T) {
		apitest.Call(t, h, e.Event(
			"PUT",
			"/leaseTemplates/"+created.UUID,
			&apitest.Manager,
			`{"name": "lost", "requiresApproval": true, "maxSpend": 20, "leaseDurationInHours": 4, "version": 1}`,
		)).Want(t, http.StatusConflict, "")
	})
	t.Run("a private template is 404 for a user", func(t *testing.T) {
		apitest.Call(t, h, e.Event("GET", "/leaseTemplates/"+created.UUID, &apitest.Dev, nil)).
			Want(t, http.StatusNotFound, "")
	})
	t.Run("a delete removes it", func(t *testing.T) {
		apitest.Call(t, h, e.Event("DELETE", "/leaseTemplates/"+created.UUID, &apitest.Manager, nil)).
			Want(t, http.StatusOK, "")
		apitest.Call(t, h, e.Event("GET", "/leaseTemplates/"+created.UUID, &apitest.Manager, nil)).
			Want(t, http.StatusNotFound, "")
		apitest.Call(t, h, e.Event("DELETE", "/leaseTemplates/"+created.UUID, &apitest.Manager, nil)).
			Want(t, http.StatusNotFound, "")
	})
}

func TestTemplateWritesAreRefusedWithTheRightStatus(t *testing.T) {
	e, h := setup(t)
	cases := []struct {
		name, body, field string
		caller            string
		status            int
	}{
		{name: "a user may not create templates", body: good, caller: "user", status: 403},
		{
			name:   "a client-supplied creator is 400 naming it",
			body:   `{"name": "x", "requiresApproval": true, "createdBy": "someone@example.com"}`,
			field:  "createdBy",
			status: 400,
		},
		{
			name:   "a missing requiresApproval is 400 naming it",
			body:   `{"name": "x"}`,
			field:  "requiresApproval",
			status: 400,
		},
		{
			name:   "an empty name is 400 naming it",
			body:   `{"name": "", "requiresApproval": true}`,
			field:  "name",
			status: 400,
		},
		{
			name:   "a budget over the global maximum is 400 naming it",
			body:   `{"name": "x", "requiresApproval": true, "maxSpend": 9999}`,
			field:  "maxSpend",
			status: 400,
		},
		{
			name:   "a threshold above the budget is 400 naming it",
			body:   `{"name": "x", "requiresApproval": true, "maxSpend": 10, "budgetThresholds": [{"dollarsSpent": 20, "action": "ALERT"}]}`,
			field:  "budgetThresholds[0].dollarsSpent",
			status: 400,
		},
		{
			name:   "an unknown report group is 400 naming it",
			body:   `{"name": "x", "requiresApproval": true, "costReportGroup": "nope"}`,
			field:  "costReportGroup",
			status: 400,
		},
		{
			name:   "an unknown visibility is 400 naming it",
			body:   `{"name": "x", "requiresApproval": true, "visibility": "SECRET"}`,
			field:  "visibility",
			status: 400,
		},
		{
			name:   "an unknown field is 400 naming it",
			body:   `{"name": "x", "requiresApproval": true, "blueprintId": null}`,
			field:  "blueprintId",
			status: 400,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			caller := apitest.Manager
			if tc.caller == "user" {
				caller = apitest.Dev
			}
			apitest.Call(t, h, e.Event("POST", "/leaseTemplates", &caller, tc.body)).Want(t, tc.status, tc.field)
		})
	}
	t.Run("an update of an unknown template is 404", func(t *testing.T) {
		apitest.Call(t, h, e.Event("PUT", "/leaseTemplates/00000000-0000-4000-8000-000000000000", &apitest.Manager,
			good)).
			Want(t, http.StatusNotFound, "")
	})
	t.Run("a body with the wrong content type is 415", func(t *testing.T) {
		ev := e.Event("POST", "/leaseTemplates", &apitest.Manager, good)
		ev.Headers["Content-Type"] = "application/x-www-form-urlencoded"
		apitest.Call(t, h, ev).Want(t, http.StatusUnsupportedMediaType, "")
	})
}

func TestUsersListOnlyPublicTemplatesInFullPages(t *testing.T) {
	e, h := setup(t)
	for i, vis := range []template.Visibility{template.Private, template.Public, template.Private, template.Public,
		template.Public} {
		e.Template("t"+string(rune('a'+i)), true, vis)
	}
	list := func(caller string, q string) (int, *string) {
		c := apitest.Dev
		if caller == "manager" {
			c = apitest.Manager
		}
		p := apitest.Decode[apitest.Page[templatesapi.Template]](t, h, e.Event("GET", "/leaseTemplates"+q, &c, nil))
		for _, tpl := range p.Result {
			if caller != "manager" && tpl.Visibility != "PUBLIC" {
				t.Fatalf("a user saw %+v", tpl)
			}
		}
		return len(p.Result), p.Next
	}
	if n, _ := list("manager", ""); n != 5 {
		t.Fatalf("a manager sees %d templates, want 5", n)
	}
	if n, _ := list("user", ""); n != 3 {
		t.Fatalf("a user sees %d templates, want 3", n)
	}
	n, next := list("user", "?pageSize=2")
	if n != 2 || next == nil {
		t.Fatalf("a user's first page has %d templates, next %v", n, next)
	}
	if n, _ := list("user", "?pageSize=2&pageIdentifier="+*next); n != 1 {
		t.Fatalf("a user's second page has %d templates, want 1", n)
	}
}
