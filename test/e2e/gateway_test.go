package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/routes"
)

func TestTheGatewayRefusesAsAPIGatewayDoes(t *testing.T) {
	tests := []struct {
		name       string
		caller     string // "" sends no token
		method     string
		path       string
		wantStatus int
		wantBody   string
	}{
		{name: "a request without a token is a 401 from the authorizer", method: http.MethodGet, path: "/leases",
			wantStatus: http.StatusUnauthorized, wantBody: routes.GatewayResponses["Unauthorized"].Body},
		{name: "a user on an administrators' route is denied by the authorizer's policy", caller: "user@example.com",
			method: http.MethodGet, path: "/accounts", wantStatus: http.StatusForbidden,
			wantBody: routes.GatewayResponses["AccessDenied"].Body},
		{name: "a route the table does not have is API Gateway's 403", caller: "admin@example.com",
			method: http.MethodGet, path: "/nowhere", wantStatus: http.StatusForbidden,
			wantBody: "Missing Authentication Token"},
		{name: "a public sign-in route reaches its handler without a token", method: http.MethodGet,
			path:       "/auth/login/status",
			wantStatus: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &client{t: t}
			if tt.caller != "" {
				c = as(t, tt.caller)
			}
			r := c.call(tt.method, tt.path, nil)
			if tt.wantStatus == -1 {
				if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
					t.Errorf("HTTP %d %s: the public route was refused by the gateway", r.Status, r.raw)
				}
				return
			}
			if r.Status != tt.wantStatus || !strings.Contains(string(r.raw), tt.wantBody) {
				t.Errorf("HTTP %d %s, want %d with %s", r.Status, r.raw, tt.wantStatus, tt.wantBody)
			}
		})
	}
}
