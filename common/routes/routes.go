// Package routes is the one table of the REST API: every method and path,
// the Lambda family that serves it, and the roles allowed to call it. The
// authorizer, the handlers (which check again), the OpenAPI contract test
// and the API Gateway construct all read this table.
package routes

import (
	"slices"
	"strings"
)

// Role is a platform role, granted by membership of an Identity Center group.
type Role string

// The three roles.
const (
	Admin   Role = "Admin"
	Manager Role = "Manager"
	User    Role = "User"
)

// Roles lists every role.
var Roles = []Role{Admin, Manager, User}

// Family is the Lambda function that serves a group of routes.
type Family string

// The API's Lambda families.
const (
	Leases         Family = "leases"
	LeaseTemplates Family = "lease-templates"
	Accounts       Family = "accounts"
	Configurations Family = "configurations"
	// Auth is the SAML sign-in handler; its routes need no token.
	Auth Family = "auth"
)

// Families lists every family.
var Families = []Family{Leases, LeaseTemplates, Accounts, Configurations, Auth}

// Route is one method on one path.
type Route struct {
	Method string
	// Path uses API Gateway's template syntax: /leases/{leaseId}.
	Path   string
	Family Family
	// Roles may call the route. Empty with Public set: no token needed.
	Roles  []Role
	Public bool
	// OwnerOnlyForUsers: a caller holding only the User role may act on
	// their own leases only (the handler checks the owner).
	OwnerOnlyForUsers bool
}

var (
	everyone = []Role{Admin, Manager, User}
	managers = []Role{Admin, Manager}
	admins   = []Role{Admin}
)

// Table lists every route the API serves.
var Table = []Route{
	{Method: "GET", Path: "/leases", Family: Leases, Roles: everyone, OwnerOnlyForUsers: true},
	{Method: "POST", Path: "/leases", Family: Leases, Roles: everyone},
	{Method: "GET", Path: "/leases/{leaseId}", Family: Leases, Roles: everyone, OwnerOnlyForUsers: true},
	{Method: "PATCH", Path: "/leases/{leaseId}", Family: Leases, Roles: managers},
	{Method: "POST", Path: "/leases/{leaseId}/review", Family: Leases, Roles: managers},
	{Method: "POST", Path: "/leases/{leaseId}/freeze", Family: Leases, Roles: managers},
	{Method: "POST", Path: "/leases/{leaseId}/unfreeze", Family: Leases, Roles: managers},
	// The owner may terminate their own lease: CI releases what it leased.
	{Method: "POST", Path: "/leases/{leaseId}/terminate", Family: Leases, Roles: everyone, OwnerOnlyForUsers: true},
	// Only the owner, whatever their roles, gets a session in the account.
	{Method: "GET", Path: "/leases/{leaseId}/credentials", Family: Leases, Roles: everyone, OwnerOnlyForUsers: true},
	// A heartbeat is the holder's liveness signal: the lessee only, whatever
	// the role (the handler refuses anyone else, managers included).
	{Method: "POST", Path: "/leases/{leaseId}/heartbeat", Family: Leases, Roles: everyone, OwnerOnlyForUsers: true},

	{Method: "GET", Path: "/leaseTemplates", Family: LeaseTemplates, Roles: everyone},
	{Method: "POST", Path: "/leaseTemplates", Family: LeaseTemplates, Roles: managers},
	{Method: "GET", Path: "/leaseTemplates/{leaseTemplateId}", Family: LeaseTemplates, Roles: everyone},
	{Method: "PUT", Path: "/leaseTemplates/{leaseTemplateId}", Family: LeaseTemplates, Roles: managers},
	{Method: "DELETE", Path: "/leaseTemplates/{leaseTemplateId}", Family: LeaseTemplates, Roles: managers},

	{Method: "GET", Path: "/accounts", Family: Accounts, Roles: admins},
	{Method: "POST", Path: "/accounts", Family: Accounts, Roles: admins},
	{Method: "GET", Path: "/accounts/unregistered", Family: Accounts, Roles: admins},
	{Method: "GET", Path: "/accounts/{awsAccountId}", Family: Accounts, Roles: admins},
	{Method: "POST", Path: "/accounts/{awsAccountId}/retryCleanup", Family: Accounts, Roles: admins},
	{Method: "POST", Path: "/accounts/{awsAccountId}/eject", Family: Accounts, Roles: admins},

	{Method: "GET", Path: "/configurations", Family: Configurations, Roles: everyone},

	{Method: "GET", Path: "/auth/login", Family: Auth, Public: true},
	{Method: "POST", Path: "/auth/login/callback", Family: Auth, Public: true},
	{Method: "GET", Path: "/auth/login/status", Family: Auth, Public: true},
	{Method: "GET", Path: "/auth/logout", Family: Auth, Public: true},
	{Method: "POST", Path: "/auth/aws", Family: Auth, Public: true},
}

// Allows reports whether a caller holding roles may call the route.
func (r Route) Allows(roles []Role) bool {
	if r.Public {
		return true
	}
	for _, have := range roles {
		if slices.Contains(r.Roles, have) {
			return true
		}
	}
	return false
}

// Privileged reports whether roles include Manager or Admin.
func Privileged(roles []Role) bool {
	return slices.Contains(roles, Admin) || slices.Contains(roles, Manager)
}

// Match finds the route for a method and a concrete path, and the values
// of its path parameters. Literal segments win over parameters, as in API
// Gateway (/accounts/unregistered is not /accounts/{awsAccountId}).
func Match(method, path string) (Route, map[string]string, bool) {
	segs := split(path)
	var best Route
	var bestParams map[string]string
	bestLiterals := -1
	for _, r := range Table {
		if r.Method != method {
			continue
		}
		params, literals, ok := matchPath(split(r.Path), segs)
		if ok && literals > bestLiterals {
			best, bestParams, bestLiterals = r, params, literals
		}
	}
	return best, bestParams, bestLiterals >= 0
}

// Methods returns the methods served on a route path, for 405 answers.
func Methods(path string) []string {
	var out []string
	segs := split(path)
	for _, r := range Table {
		if _, _, ok := matchPath(split(r.Path), segs); ok && !slices.Contains(out, r.Method) {
			out = append(out, r.Method)
		}
	}
	return out
}

func split(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func matchPath(pattern, segs []string) (map[string]string, int, bool) {
	if len(pattern) != len(segs) {
		return nil, 0, false
	}
	params := map[string]string{}
	literals := 0
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if segs[i] == "" {
				return nil, 0, false
			}
			params[p[1:len(p)-1]] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, 0, false
		}
		literals++
	}
	return params, literals, true
}

// GatewayResponse is an answer API Gateway gives itself, without calling
// a handler: the stacks configure them (api.addGatewayResponses) and local
// mode answers them, so a client reads one JSend envelope whatever
// answered.
type GatewayResponse struct {
	// Status is the HTTP status; 0 keeps the status of the error.
	Status int
	// Body is the JSON body; Default4XX's carries API Gateway's message
	// through $context.error.messageString.
	Body string
}

// GatewayResponses are keyed by API Gateway's response type names.
var GatewayResponses = map[string]GatewayResponse{
	// The same body the handlers answer (httpapi.Status): the reason a
	// token was refused is in the authorizer's log only.
	"Unauthorized": {401, `{"status":"fail","data":{"errors":[{"field":"Authorization","message":"invalid token"}]}}`},
	"AccessDenied": {403, `{"status":"fail","data":{"errors":[{"message":"Your roles do not allow this request, or the platform is in maintenance mode"}]}}`},
	"Throttled":    {429, `{"status":"fail","data":{"errors":[{"message":"Too many requests: slow down and retry"}]}}`},
	"WafFiltered":  {403, `{"status":"fail","data":{"errors":[{"message":"The request was blocked by the firewall"}]}}`},
	"Default4XX":   {0, `{"status":"fail","data":{"errors":[{"message":$context.error.messageString}]}}`},
	"Default5XX":   {0, `{"status":"error","message":"An unexpected error occurred."}`},
}
