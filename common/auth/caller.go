// Package auth identifies API callers: the signed token the SSO handler
// issues, its verification (by the authorizer and again by every handler),
// and the caller it names.
package auth

import (
	"slices"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
)

// Caller is the person or pipeline behind a request.
type Caller struct {
	Email string        `json:"email"`
	Name  string        `json:"name,omitempty"`
	Roles []routes.Role `json:"roles"`
	// Principal is the AWS principal ARN of a machine sign-in (POST
	// /auth/aws); empty for a person.
	Principal string `json:"principal,omitempty"`
}

// Has reports whether the caller holds role.
func (c Caller) Has(role routes.Role) bool { return slices.Contains(c.Roles, role) }

// Privileged reports whether the caller is a Manager or an Admin.
func (c Caller) Privileged() bool { return routes.Privileged(c.Roles) }

// Issuer is the "iss" of the tokens a deployment's SSO handler issues.
func Issuer(namespace string) string { return names.Physical(namespace, "Sso") }

// Audience is the "aud" of the tokens a deployment's API accepts.
func Audience(namespace string) string { return names.Physical(namespace, "Api") }
