// Package gate is the REST API's request authorizer: it verifies the
// caller's token (common/auth), looks the route up in the one route table
// (common/routes), applies maintenance mode and answers with a policy for
// that one method.
package gate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/routes"
)

// ErrUnauthorized is the error API Gateway turns into 401: the request
// carries no valid token. Any other error becomes 500.
var ErrUnauthorized = errors.New("Unauthorized")

// Verifier checks a bearer token (auth.Verifier).
type Verifier interface {
	Verify(ctx context.Context, authorizationHeader string) (auth.Caller, error)
}

// GlobalConfig reads the global configuration (appconfig.Source).
type GlobalConfig interface {
	Global(ctx context.Context) (config.Global, error)
}

// FaultCounter records an authorizer fault (a metric, not a denial).
type FaultCounter interface {
	Fault(ctx context.Context)
}

// Handler is the REQUEST authorizer: it verifies the token, finds the
// route in routes.Table and allows the method ARN if one of the caller's
// roles may call it.
type Handler struct {
	verify Verifier
	config GlobalConfig
	faults FaultCounter
}

// New returns the authorizer.
func New(v Verifier, cfg GlobalConfig, faults FaultCounter) *Handler {
	return &Handler{verify: v, config: cfg, faults: faults}
}

// maintenanceExempt is the route every caller may use in maintenance
// mode: the UI reads the configuration to show the maintenance banner.
var maintenanceExempt = struct{ method, path string }{"GET", "/configurations"}

// Handle answers one authorization request. A missing or refused token is
// ErrUnauthorized (401); a caller whose roles do not allow the route gets
// a Deny policy (403); a fault (keys or configuration unreadable) is an
// error (500) and counted.
func (h *Handler) Handle(
	ctx context.Context,
	req events.APIGatewayCustomAuthorizerRequestTypeRequest,
) (events.APIGatewayCustomAuthorizerResponse, error) {
	method, path := req.HTTPMethod, req.Path
	log := slog.With("method", method, "path", path)
	authorization, err := auth.AuthorizationHeader(req.Headers, req.MultiValueHeaders)
	if err != nil {
		log.InfoContext(ctx, "token refused", "reason", err.Error())
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	caller, err := h.verify.Verify(ctx, authorization)
	if err != nil {
		if auth.IsFault(err) {
			h.faults.Fault(ctx)
			log.ErrorContext(ctx, "cannot verify tokens", "error", err)
			return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("verify token: %w", err)
		}
		log.InfoContext(ctx, "token refused", "reason", err.Error())
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	log = log.With("caller", caller.Email)
	if caller.Principal != "" {
		// A machine token holds only while its mapping does: removing the
		// entry (or changing its role or owner) ends every token at once.
		g, err := h.config.Global(ctx)
		if err != nil {
			h.faults.Fault(ctx)
			log.ErrorContext(ctx, "cannot read the global configuration", "error", err)
			return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("read global configuration: %w", err)
		}
		if !stillMapped(g, caller) {
			log.InfoContext(ctx, "token refused", "reason", "machine identity no longer mapped",
				"principal", caller.Principal)
			return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
		}
	}
	route, _, ok := routes.Match(method, path)
	if !ok {
		log.InfoContext(ctx, "denied: no such route")
		return policy(caller, "Deny", req.MethodArn), nil
	}
	if !route.Allows(caller.Roles) {
		log.InfoContext(ctx, "denied: role", "route", route.Path, "roles", caller.Roles)
		return policy(caller, "Deny", req.MethodArn), nil
	}
	if !caller.Has(routes.Admin) && (route.Method != maintenanceExempt.method || route.Path != maintenanceExempt.path) {
		g, err := h.config.Global(ctx)
		if err != nil {
			h.faults.Fault(ctx)
			log.ErrorContext(ctx, "cannot read the global configuration", "error", err)
			return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("read global configuration: %w", err)
		}
		if g.MaintenanceMode {
			log.InfoContext(ctx, "denied: maintenance mode", "route", route.Path)
			return policy(caller, "Deny", req.MethodArn), nil
		}
	}
	log.InfoContext(ctx, "allowed", "route", route.Path)
	return policy(caller, "Allow", req.MethodArn), nil
}

// stillMapped reports whether a machine caller's principal still maps to
// the owner and the one role its token names.
func stillMapped(g config.Global, c auth.Caller) bool {
	m, ok := g.MachineIdentity(c.Principal)
	return ok && m.Owner == c.Email && len(c.Roles) == 1 && c.Roles[0] == m.RoleOf()
}

// policy allows or denies exactly one method ARN; the result is cached per
// token, path and method, so it must not say more.
func policy(c auth.Caller, effect, methodArn string) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: c.Email,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{methodArn},
			}},
		},
		Context: c.ToContext(),
	}
}
