// Package accountsapi serves the /accounts routes: it decodes each request,
// calls the pool service and encodes the account it returns.
package accountsapi

import (
	"context"
	"net/http"
	"time"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/pool"
	"github.com/isb-go/isb/functions/listroute"
)

// MaxPageSize is the largest page GET /accounts returns.
const MaxPageSize = 2000

// Account is a sandbox account as the API shows it.
type Account struct {
	AwsAccountID     string     `json:"awsAccountId"`
	Email            string     `json:"email,omitempty"`
	Name             string     `json:"name,omitempty"`
	Status           string     `json:"status"`
	LeaseID          string     `json:"leaseId,omitempty"`
	DriftAtLastScan  bool       `json:"driftAtLastScan"`
	LastCleanedAt    *time.Time `json:"lastCleanedAt,omitempty"`
	CleanupFailures  int        `json:"cleanupFailures"`
	Version          int64      `json:"version"`
	CreatedDate      time.Time  `json:"createdDate"`
	LastModifiedDate time.Time  `json:"lastModifiedDate"`
}

// View renders an account for the API.
func View(a account.Account) Account {
	v := Account{
		AwsAccountID:     a.ID,
		Email:            a.Email,
		Name:             a.Name,
		Status:           string(a.Status),
		DriftAtLastScan:  a.DriftAtLastScan,
		CleanupFailures:  a.CleanupFailures,
		Version:          a.Version,
		CreatedDate:      a.CreatedAt,
		LastModifiedDate: a.UpdatedAt,
	}
	if a.Lease != nil {
		v.LeaseID = a.Lease.ID()
	}
	if !a.LastCleanedAt.IsZero() {
		t := a.LastCleanedAt
		v.LastCleanedAt = &t
	}
	return v
}

// RegisterBody is the body of POST /accounts. meta is accepted (upstream
// clients send it) and ignored.
type RegisterBody struct {
	AwsAccountID string          `json:"awsAccountId"`
	Email        string          `json:"email,omitempty"`
	Name         string          `json:"name,omitempty"`
	Meta         *map[string]any `json:"meta,omitempty"`
}

// DecodeRegistration decodes a registration (validated by the service,
// which knows the protected accounts).
func DecodeRegistration(body []byte) (account.Registration, error) {
	var b RegisterBody
	if err := httpapi.DecodeBytes(body, &b); err != nil {
		return account.Registration{}, err
	}
	r := account.Registration{AccountID: b.AwsAccountID, Email: b.Email, Name: b.Name}
	return r, r.Validate(account.Protected{})
}

// accountID reads the awsAccountId path parameter, which must be 12 digits.
func accountID(r *httpapi.Request) (string, error) {
	id := r.Params["awsAccountId"]
	if !account.ValidID(id) {
		var f fault.Fields
		f.Add("awsAccountId", "must be a 12-digit AWS account id")
		return "", f.Err()
	}
	return id, nil
}

// Handlers returns the handlers of every /accounts route.
func Handlers(svc *pool.Service) map[string]httpapi.HandlerFunc {
	one := func(fn func(ctx context.Context, id string) (account.Account, error)) httpapi.HandlerFunc {
		return func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
			id, err := accountID(r)
			if err != nil {
				return httpapi.Response{}, err
			}
			a, err := fn(ctx, id)
			if err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.OK(View(a)), nil
		}
	}
	return map[string]httpapi.HandlerFunc{
		httpapi.Key(http.MethodGet, "/accounts"): func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
			return listroute.Answer(ctx, r, MaxPageSize, svc.List, View)
		},
		httpapi.Key(http.MethodPost, "/accounts"): func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
			if err := httpapi.RequireJSON(r); err != nil {
				return httpapi.Response{}, err
			}
			reg, err := DecodeRegistration(r.Body)
			if err != nil {
				return httpapi.Response{}, err
			}
			a, err := svc.Register(ctx, reg)
			if err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.Created(View(a)), nil
		},
		httpapi.Key(http.MethodGet, "/accounts/unregistered"): func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
			return listroute.Answer(ctx, r, pool.MaxUnregisteredPage, svc.Unregistered,
				listroute.Same[pool.Unregistered])
		},
		httpapi.Key(http.MethodGet, "/accounts/{awsAccountId}"):               one(svc.Get),
		httpapi.Key(http.MethodPost, "/accounts/{awsAccountId}/retryCleanup"): one(svc.RetryCleanup),
		httpapi.Key(http.MethodPost, "/accounts/{awsAccountId}/eject"): func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
			id, err := accountID(r)
			if err != nil {
				return httpapi.Response{}, err
			}
			if err := svc.Eject(ctx, id); err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.OK(nil), nil
		},
	}
}
