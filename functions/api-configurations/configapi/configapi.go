// Package configapi serves GET /configurations.
package configapi

import (
	"context"
	"net/http"

	"github.com/isb-go/isb/common/configview"
	"github.com/isb-go/isb/common/httpapi"
)

// Handlers returns the handler of every /configurations route.
func Handlers(svc *configview.Service) map[string]httpapi.HandlerFunc {
	return map[string]httpapi.HandlerFunc{
		httpapi.Key(http.MethodGet, "/configurations"): func(ctx context.Context, _ *httpapi.Request) (httpapi.Response, error) {
			v, err := svc.Read(ctx)
			if err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.OK(v), nil
		},
	}
}
