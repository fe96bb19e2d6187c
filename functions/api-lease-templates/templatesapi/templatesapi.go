// Package templatesapi serves the /leaseTemplates routes: it decodes each
// request, calls the catalog service and encodes the template it returns.
package templatesapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/isb-go/isb/common/catalog"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/common/template"
	"github.com/isb-go/isb/functions/listroute"
)

// MaxPageSize is the largest page GET /leaseTemplates returns.
const MaxPageSize = 2000

// Template is a lease template as the API shows it.
type Template struct {
	UUID             string `json:"uuid"`
	Name             string `json:"name"`
	Description      string `json:"description,omitempty"`
	RequiresApproval bool   `json:"requiresApproval"`
	Visibility       string `json:"visibility"`
	CreatedBy        string `json:"createdBy"`
	lease.Terms
	HeartbeatTimeoutMinutes    int       `json:"heartbeatTimeoutMinutes,omitempty"`
	MaxHeartbeatTimeoutMinutes int       `json:"maxHeartbeatTimeoutMinutes,omitempty"`
	Version                    int64     `json:"version"`
	CreatedDate                time.Time `json:"createdDate"`
	LastModifiedDate           time.Time `json:"lastModifiedDate"`
}

// View renders a template for the API.
func View(t template.Template) Template {
	return Template{UUID: t.UUID, Name: t.Name, Description: t.Description, RequiresApproval: t.RequiresApproval,
		Visibility: string(t.Visibility), CreatedBy: t.CreatedBy, Terms: t.Terms, Version: t.Version,
		HeartbeatTimeoutMinutes: t.Heartbeat.DefaultMinutes, MaxHeartbeatTimeoutMinutes: t.Heartbeat.MaxMinutes,
		CreatedDate: t.CreatedAt, LastModifiedDate: t.UpdatedAt}
}

// Body is the body of POST and PUT /leaseTemplates.
type Body struct {
	Name                 string                    `json:"name"`
	Description          string                    `json:"description,omitempty"`
	RequiresApproval     *bool                     `json:"requiresApproval"`
	Visibility           string                    `json:"visibility,omitempty"`
	MaxSpend             *float64                  `json:"maxSpend,omitempty"`
	LeaseDurationInHours *float64                  `json:"leaseDurationInHours,omitempty"`
	BudgetThresholds     []lease.BudgetThreshold   `json:"budgetThresholds,omitempty"`
	DurationThresholds   []lease.DurationThreshold `json:"durationThresholds,omitempty"`
	CostReportGroup      *string                   `json:"costReportGroup,omitempty"`
	// The heartbeat's default and maximum timeout; absent: no default, and
	// the platform's maximum.
	HeartbeatTimeoutMinutes    *int `json:"heartbeatTimeoutMinutes,omitempty"`
	MaxHeartbeatTimeoutMinutes *int `json:"maxHeartbeatTimeoutMinutes,omitempty"`
	// Version is accepted on PUT only: the version the client read.
	Version int64 `json:"version,omitempty"`
	// CreatedBy is refused: the creator is always the caller.
	CreatedBy *json.RawMessage `json:"createdBy,omitempty"`
}

// DecodeBody decodes a template body. update allows "version".
func DecodeBody(body []byte, update bool) (catalog.Draft, error) {
	var b Body
	if err := httpapi.DecodeBytes(body, &b, "description"); err != nil {
		return catalog.Draft{}, err
	}
	var f fault.Fields
	if b.CreatedBy != nil {
		f.Add("createdBy", "is always the caller; do not send it")
	}
	if b.RequiresApproval == nil {
		f.Add("requiresApproval", "is required")
	}
	if !update && b.Version != 0 {
		f.Add("version", "is not known on create")
	}
	if update && b.Version < 0 {
		f.Add("version", "must be the version read (a whole number from 1), or absent")
	}
	if b.Visibility != "" && b.Visibility != string(template.Public) && b.Visibility != string(template.Private) {
		f.Add("visibility", "must be PUBLIC or PRIVATE")
	}
	hb := lease.Heartbeat{DefaultMinutes: minutes(&f, "heartbeatTimeoutMinutes", b.HeartbeatTimeoutMinutes),
		MaxMinutes: minutes(&f, "maxHeartbeatTimeoutMinutes", b.MaxHeartbeatTimeoutMinutes)}
	if err := f.Err(); err != nil {
		return catalog.Draft{}, err
	}
	return catalog.Draft{Heartbeat: hb,
		Name: b.Name, Description: b.Description, RequiresApproval: *b.RequiresApproval,
		Visibility: template.Visibility(b.Visibility), Version: b.Version,
		Terms: lease.Terms{MaxSpend: b.MaxSpend, LeaseDurationInHours: b.LeaseDurationInHours,
			BudgetThresholds: b.BudgetThresholds, DurationThresholds: b.DurationThresholds,
			CostReportGroup: b.CostReportGroup},
	}, nil
}

// minutes reads an optional heartbeat timeout: absent is 0 (unset), and
// a value sent must be positive, since 0 would silently mean unset.
func minutes(f *fault.Fields, field string, m *int) int {
	if m == nil {
		return 0
	}
	if *m < 1 || *m > lease.MaxHeartbeatTimeoutMinutes {
		f.Add(field, "must be 1 to %d minutes", lease.MaxHeartbeatTimeoutMinutes)
		return 0
	}
	return *m
}

// templateID reads the leaseTemplateId path parameter, which must be a
// UUID: no other value names a template, and nothing else reaches the
// table.
func templateID(r *httpapi.Request) (string, error) {
	id := r.Params["leaseTemplateId"]
	if !lease.ValidUUID(id) {
		var f fault.Fields
		f.Add("leaseTemplateId", "must be a UUID")
		return "", f.Err()
	}
	return id, nil
}

// Handlers returns the handlers of every /leaseTemplates route.
func Handlers(svc *catalog.Service) map[string]httpapi.HandlerFunc {
	const item = "/leaseTemplates/{leaseTemplateId}"
	return map[string]httpapi.HandlerFunc{
		httpapi.Key(http.MethodGet, "/leaseTemplates"): func(ctx context.Context, r *httpapi.Request) (
			httpapi.Response, error) {
			list := func(ctx context.Context, p page.Page) ([]template.Template, string, error) {
				return svc.List(ctx, r.Caller, p)
			}
			return listroute.Answer(ctx, r, MaxPageSize, list, View)
		},
		httpapi.Key(http.MethodPost, "/leaseTemplates"): func(ctx context.Context, r *httpapi.Request) (
			httpapi.Response, error) {
			if err := httpapi.RequireJSON(r); err != nil {
				return httpapi.Response{}, err
			}
			d, err := DecodeBody(r.Body, false)
			if err != nil {
				return httpapi.Response{}, err
			}
			t, err := svc.Create(ctx, r.Caller, d)
			if err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.Created(View(t)), nil
		},
		httpapi.Key(http.MethodGet, item): func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
			id, err := templateID(r)
			if err != nil {
				return httpapi.Response{}, err
			}
			t, err := svc.Get(ctx, r.Caller, id)
			if err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.OK(View(t)), nil
		},
		httpapi.Key(http.MethodPut, item): func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
			id, err := templateID(r)
			if err != nil {
				return httpapi.Response{}, err
			}
			if err := httpapi.RequireJSON(r); err != nil {
				return httpapi.Response{}, err
			}
			d, err := DecodeBody(r.Body, true)
			if err != nil {
				return httpapi.Response{}, err
			}
			t, err := svc.Update(ctx, r.Caller, id, d)
			if err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.OK(View(t)), nil
		},
		httpapi.Key(http.MethodDelete, item): func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
			id, err := templateID(r)
			if err != nil {
				return httpapi.Response{}, err
			}
			if err := svc.Delete(ctx, r.Caller, id); err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.OK(nil), nil
		},
	}
}
