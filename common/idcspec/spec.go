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
	if err := checkRoles(s.Groups, "group", "a display name",
		func(g GroupSpec) (string, string) { return g.Role, g.DisplayName }); err != nil {
		return err
	}
	return checkRoles(s.PermissionSets, "permission set", "a name",
		func(p PermissionSetSpec) (string, string) { return p.Role, p.Name })
}

// checkRoles requires of each item (a kind) a role and a name (nameWord
// says which), and no role twice.
func checkRoles[T any](items []T, kind, nameWord string, roleAndName func(T) (string, string)) error {
	seen := map[string]bool{}
	for _, it := range items {
		role, name := roleAndName(it)
		if role == "" || name == "" {
			return fmt.Errorf("%s %+v needs a role and %s", kind, it, nameWord)
		}
		if seen[role] {
			return fmt.Errorf("%s role %q appears twice", kind, role)
		}
		seen[role] = true
	}
	return nil
}
