package auth

import (
	"fmt"
	"strings"

	"github.com/isb-go/isb/common/routes"
)

// Keys of the authorizer context API Gateway passes to the handlers
// (requestContext.authorizer.<key>). Values are strings: API Gateway
// accepts only primitives there.
const (
	ContextEmail = "email"
	ContextName  = "name"
	// ContextRoles holds the roles comma-separated, e.g. "Manager,User".
	ContextRoles = "roles"
	// ContextPrincipal is the AWS principal of a machine sign-in.
	ContextPrincipal = "principal"
)

// ToContext renders the caller as an authorizer context.
func (c Caller) ToContext() map[string]any {
	roles := make([]string, len(c.Roles))
	for i, r := range c.Roles {
		roles[i] = string(r)
	}
	m := map[string]any{ContextEmail: c.Email, ContextName: c.Name, ContextRoles: strings.Join(roles, ",")}
	if c.Principal != "" {
		m[ContextPrincipal] = c.Principal
	}
	return m
}

// FromContext reads the caller back from an authorizer context. The
// handlers verify the token themselves too; this is for logs and for
// callers that trust the gateway.
func FromContext(ctx map[string]any) (Caller, error) {
	email, _ := ctx[ContextEmail].(string)
	name, _ := ctx[ContextName].(string)
	rawRoles, _ := ctx[ContextRoles].(string)
	principal, _ := ctx[ContextPrincipal].(string)
	var roles []routes.Role
	for _, r := range strings.Split(rawRoles, ",") {
		if r != "" {
			roles = append(roles, routes.Role(r))
		}
	}
	if _, err := checkCaller(email, roles); err != nil {
		return Caller{}, fmt.Errorf("authorizer context: %w", err)
	}
	return Caller{Email: email, Name: name, Roles: roles, Principal: principal}, nil
}
