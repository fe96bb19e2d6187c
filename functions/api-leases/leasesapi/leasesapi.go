// Package leasesapi serves the /leases routes: it decodes each request,
// calls the leasing service and encodes the lease it returns.
package leasesapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/lessee"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/functions/listroute"
)

// MaxPageSize is the largest page GET /leases returns (upstream's limit).
const MaxPageSize = 2000

// Lease is a lease as the API shows it.
type Lease struct {
	LeaseID                   string `json:"leaseId"`
	UserEmail                 string `json:"userEmail"`
	UUID                      string `json:"uuid"`
	Status                    string `json:"status"`
	OriginalLeaseTemplateUUID string `json:"originalLeaseTemplateUuid"`
	OriginalLeaseTemplateName string `json:"originalLeaseTemplateName"`
	Comments                  string `json:"comments,omitempty"`
	CreatedBy                 string `json:"createdBy,omitempty"`
	lease.Terms
	AwsAccountID     string     `json:"awsAccountId,omitempty"`
	ApprovedBy       string     `json:"approvedBy,omitempty"`
	StartDate        *time.Time `json:"startDate,omitempty"`
	ExpirationDate   *time.Time `json:"expirationDate,omitempty"`
	LastCheckedDate  *time.Time `json:"lastCheckedDate,omitempty"`
	TotalCostAccrued float64    `json:"totalCostAccrued"`
	// The heartbeat: its timeout (absent: none) and the moment the lease
	// is ended unless it beats before.
	HeartbeatTimeoutMinutes int        `json:"heartbeatTimeoutMinutes,omitempty"`
	HeartbeatDeadline       *time.Time `json:"heartbeatDeadline,omitempty"`
	EndDate                 *time.Time `json:"endDate,omitempty"`
	TTL                     int64      `json:"ttl,omitempty"`
	Version                 int64      `json:"version"`
	CreatedDate             time.Time  `json:"createdDate"`
	LastModifiedDate        time.Time  `json:"lastModifiedDate"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// View renders a lease for the API.
func View(l lease.Lease) Lease {
	return Lease{
		LeaseID: l.Key.ID(), UserEmail: l.UserEmail, UUID: l.UUID, Status: string(l.Status),
		OriginalLeaseTemplateUUID: l.OriginalTemplateUUID, OriginalLeaseTemplateName: l.OriginalTemplateName,
		Comments: l.Comments, CreatedBy: l.CreatedBy, Terms: l.Terms,
		AwsAccountID: l.AccountID, ApprovedBy: l.ApprovedBy,
		StartDate: timePtr(l.StartDate), ExpirationDate: l.ExpirationDate, LastCheckedDate: timePtr(l.LastCheckedDate),
		TotalCostAccrued:        l.TotalCostAccrued,
		HeartbeatTimeoutMinutes: l.HeartbeatTimeoutMinutes, HeartbeatDeadline: l.HeartbeatDeadline,
		EndDate: timePtr(l.EndDate), TTL: l.TTL, Version: l.Version,
		CreatedDate: l.CreatedAt, LastModifiedDate: l.UpdatedAt,
	}
}

// RequestBody is the body of POST /leases.
type RequestBody struct {
	LeaseTemplateUUID string `json:"leaseTemplateUuid"`
	Comments          string `json:"comments,omitempty"`
	UserEmail         string `json:"userEmail,omitempty"`
	// HeartbeatTimeoutMinutes asks for a heartbeat; absent takes the
	// template's default.
	HeartbeatTimeoutMinutes *int `json:"heartbeatTimeoutMinutes,omitempty"`
}

// DecodeRequest decodes and validates a lease request body.
func DecodeRequest(body []byte) (lease.Request, error) {
	var b RequestBody
	if err := httpapi.DecodeBytes(body, &b, "comments"); err != nil {
		return lease.Request{}, err
	}
	r := lease.Request{LeaseTemplateUUID: b.LeaseTemplateUUID, Comments: b.Comments, UserEmail: b.UserEmail,
		HeartbeatTimeoutMinutes: b.HeartbeatTimeoutMinutes}
	return r, r.Validate()
}

// patchBody holds PATCH /leases/{leaseId} fields raw, so that null (clear)
// and absence (leave alone) stay apart.
type patchBody struct {
	MaxSpend           json.RawMessage `json:"maxSpend"`
	BudgetThresholds   json.RawMessage `json:"budgetThresholds"`
	ExpirationDate     json.RawMessage `json:"expirationDate"`
	DurationThresholds json.RawMessage `json:"durationThresholds"`
	CostReportGroup    json.RawMessage `json:"costReportGroup"`
}

// DecodePatch decodes a lease patch. maxSpend, expirationDate and
// costReportGroup may be null to clear them; the threshold lists may not.
// A patch must name at least one field ({} and null are refused).
func DecodePatch(body []byte) (lease.Patch, error) {
	var b patchBody
	if err := httpapi.DecodeBytes(body, &b); err != nil {
		return lease.Patch{}, err
	}
	var p lease.Patch
	var f fault.Fields
	if b.MaxSpend != nil {
		if httpapi.IsNull(b.MaxSpend) {
			p.ClearMaxSpend = true
		} else {
			var v float64
			f.Merge("", httpapi.DecodeField("maxSpend", b.MaxSpend, &v))
			p.MaxSpend = &v
		}
	}
	if b.ExpirationDate != nil {
		if httpapi.IsNull(b.ExpirationDate) {
			p.ClearExpirationDate = true
		} else {
			var s string
			if err := httpapi.DecodeField("expirationDate", b.ExpirationDate, &s); err != nil {
				f.Merge("", err)
			} else if t, err := time.Parse(time.RFC3339, s); err != nil {
				f.Add("expirationDate", "must be an ISO 8601 date-time with a time zone")
			} else {
				p.ExpirationDate = &t
			}
		}
	}
	if b.CostReportGroup != nil {
		if httpapi.IsNull(b.CostReportGroup) {
			p.ClearCostReportGroup = true
		} else {
			var v string
			f.Merge("", httpapi.DecodeField("costReportGroup", b.CostReportGroup, &v))
			p.CostReportGroup = &v
		}
	}
	if b.BudgetThresholds != nil {
		var v []lease.BudgetThreshold
		if httpapi.IsNull(b.BudgetThresholds) {
			f.Add("budgetThresholds", "must be a list (send [] to remove every threshold)")
		} else {
			f.Merge("", httpapi.DecodeField("budgetThresholds", b.BudgetThresholds, &v))
		}
		p.BudgetThresholds = &v
	}
	if b.MaxSpend == nil && b.ExpirationDate == nil && b.CostReportGroup == nil && b.BudgetThresholds == nil &&
		b.DurationThresholds == nil {
		// Nothing to change would still write a new version.
		f.Add(
			"body",
			"must change at least one of maxSpend, expirationDate, budgetThresholds, durationThresholds and costReportGroup",
		)
	}
	if b.DurationThresholds != nil {
		var v []lease.DurationThreshold
		if httpapi.IsNull(b.DurationThresholds) {
			f.Add("durationThresholds", "must be a list (send [] to remove every threshold)")
		} else {
			f.Merge("", httpapi.DecodeField("durationThresholds", b.DurationThresholds, &v))
		}
		p.DurationThresholds = &v
	}
	return p, f.Err()
}

// ReviewBody is the body of POST /leases/{leaseId}/review.
type ReviewBody struct {
	Action string `json:"action"`
}

// DecodeReview decodes a review; true means approve.
func DecodeReview(body []byte) (bool, error) {
	var b ReviewBody
	if err := httpapi.DecodeBytes(body, &b); err != nil {
		return false, err
	}
	switch b.Action {
	case "Approve":
		return true, nil
	case "Deny":
		return false, nil
	default:
		var f fault.Fields
		f.Add("action", "must be Approve or Deny")
		return false, f.Err()
	}
}

// Handlers returns the handlers of every /leases route; sessions hands
// out credentials into a lease's account.
func Handlers(svc *leasing.Service, sessions *lessee.Service) map[string]httpapi.HandlerFunc {
	withLease := func(fn func(ctx context.Context, r *httpapi.Request, k lease.Key) (lease.Lease,
		error)) httpapi.HandlerFunc {
		return func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
			k, err := lease.ParseID(r.Params["leaseId"])
			if err != nil {
				var f fault.Fields
				f.Add("leaseId", "is not a lease id this API issued")
				return httpapi.Response{}, f.Err()
			}
			l, err := fn(ctx, r, k)
			if err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.OK(View(l)), nil
		}
	}
	return map[string]httpapi.HandlerFunc{
		httpapi.Key(http.MethodGet, "/leases"): func(ctx context.Context, r *httpapi.Request) (httpapi.Response,
			error) {
			list := func(ctx context.Context, p page.Page) ([]lease.Lease, string, error) {
				return svc.List(ctx, r.Caller, r.Query["userEmail"], p)
			}
			return listroute.Answer(ctx, r, MaxPageSize, list, View)
		},
		httpapi.Key(http.MethodPost, "/leases"): func(ctx context.Context, r *httpapi.Request) (httpapi.Response,
			error) {
			if err := httpapi.RequireJSON(r); err != nil {
				return httpapi.Response{}, err
			}
			req, err := DecodeRequest(r.Body)
			if err != nil {
				return httpapi.Response{}, err
			}
			l, err := svc.Request(ctx, r.Caller, req)
			if err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.Created(View(l)), nil
		},
		httpapi.Key(http.MethodGet, "/leases/{leaseId}"): withLease(
			func(ctx context.Context, r *httpapi.Request, k lease.Key) (lease.Lease, error) {
				return svc.Get(ctx, r.Caller, k)
			},
		),
		httpapi.Key(http.MethodPatch, "/leases/{leaseId}"): withLease(
			func(ctx context.Context, r *httpapi.Request, k lease.Key) (lease.Lease, error) {
				if err := httpapi.RequireJSON(r); err != nil {
					return lease.Lease{}, err
				}
				p, err := DecodePatch(r.Body)
				if err != nil {
					return lease.Lease{}, err
				}
				return svc.Patch(ctx, r.Caller, k, p)
			},
		),
		httpapi.Key(http.MethodPost, "/leases/{leaseId}/review"): withLease(
			func(ctx context.Context, r *httpapi.Request, k lease.Key) (lease.Lease, error) {
				if err := httpapi.RequireJSON(r); err != nil {
					return lease.Lease{}, err
				}
				approve, err := DecodeReview(r.Body)
				if err != nil {
					return lease.Lease{}, err
				}
				return svc.Review(ctx, r.Caller, k, approve)
			},
		),
		httpapi.Key(http.MethodPost, "/leases/{leaseId}/freeze"): withLease(
			func(ctx context.Context, r *httpapi.Request, k lease.Key) (lease.Lease, error) {
				return svc.Freeze(ctx, r.Caller, k)
			},
		),
		httpapi.Key(http.MethodPost, "/leases/{leaseId}/unfreeze"): withLease(
			func(ctx context.Context, r *httpapi.Request, k lease.Key) (lease.Lease, error) {
				return svc.Unfreeze(ctx, r.Caller, k)
			},
		),
		httpapi.Key(http.MethodGet, "/leases/{leaseId}/credentials"): func(ctx context.Context,
			r *httpapi.Request) (httpapi.Response, error) {
			k, err := lease.ParseID(r.Params["leaseId"])
			if err != nil {
				var f fault.Fields
				f.Add("leaseId", "is not a lease id this API issued")
				return httpapi.Response{}, f.Err()
			}
			c, err := sessions.Issue(ctx, r.Caller, k)
			if err != nil {
				return httpapi.Response{}, err
			}
			// Keys: no cache anywhere keeps them.
			return httpapi.Response{Status: http.StatusOK, Data: c,
				Headers: map[string]string{"Cache-Control": "no-store"}}, nil
		},
		httpapi.Key(http.MethodPost, "/leases/{leaseId}/terminate"): withLease(
			func(ctx context.Context, r *httpapi.Request, k lease.Key) (lease.Lease, error) {
				return svc.Terminate(ctx, r.Caller, k)
			},
		),
		httpapi.Key(http.MethodPost, "/leases/{leaseId}/heartbeat"): withLease(
			func(ctx context.Context, r *httpapi.Request, k lease.Key) (lease.Lease, error) {
				return svc.Heartbeat(ctx, r.Caller, k)
			},
		),
	}
}
