// Package idcspec is the desired IAM Identity Center configuration of a
// deployment: the groups and permission sets the IDC stack's custom
// resource creates or finds. The stack writes it and the custom resource's
// handler reads it, so both import this one definition.
package idcspec

import (
	"errors"
	"fmt"

	"github.com/isb-go/isb/common/routes"
)

// The roles that key groups and permission sets.
const (
	RoleAdmin   = string(routes.Admin)
	RoleManager = string(routes.Manager)
	RoleUser    = string(routes.User)
)

// Spec is the desired Identity Center configuration.
type Spec struct {
	IdentityStoreID string              `json:"identityStoreId"`
	InstanceArn     string              `json:"instanceArn"`
	Groups          []GroupSpec         `json:"groups"`
	PermissionSets  []PermissionSetSpec `json:"permissionSets"`
	// Tags go on every permission set the configurer creates; its role may
	// change only permission sets that carry them, so it cannot edit the
	// organisation's other permission sets.
	Tags map[string]string `json:"tags,omitempty"`
}

// GroupSpec is one identity store group, found by display name.
type GroupSpec struct {
	// Role keys the result (Admin, Manager, User).
	Role        string `json:"role"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
}

// PermissionSetSpec is one permission set, found by name. Its policies are
// converged: managed policies not listed are detached, and the inline
// policy is replaced (or removed when empty).
type PermissionSetSpec struct {
	Role              string   `json:"role"`
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	SessionDuration   string   `json:"sessionDuration"`
	ManagedPolicyArns []string `json:"managedPolicyArns"`
	InlinePolicy      string   `json:"inlinePolicy,omitempty"`
}

// Validate reports the first problem that would make applying the spec
// fail half-way.
func (s Spec) Validate() error {
	if s.IdentityStoreID == "" || s.InstanceArn == "" {
		return errors.New("identityStoreId and instanceArn are required")
	}
	seen := map[string]bool{}
	for _, g := range s.Groups {
		if g.Role == "" || g.DisplayName == "" {
			return fmt.Errorf("group %+v needs a role and a display name", g)
		}
		if seen["g"+g.Role] {
			return fmt.Errorf("group role %q appears twice", g.Role)
		}
		seen["g"+g.Role] = true
	}
	for _, p := range s.PermissionSets {
		if p.Role == "" || p.Name == "" {
			return fmt.Errorf("permission set %+v needs a role and a name", p)
		}
		if seen["p"+p.Role] {
			return fmt.Errorf("permission set role %q appears twice", p.Role)
		}
		seen["p"+p.Role] = true
	}
	return nil
}
