// Package template holds lease templates: the reusable terms a user picks
// when requesting a lease, and their validation.
package template

import (
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

// Visibility says who may see and use a template.
type Visibility string

// Template visibilities.
const (
	// Public templates are visible to every user.
	Public Visibility = "PUBLIC"
	// Private templates are visible to managers and admins only.
	Private Visibility = "PRIVATE"
)

// Limits on free text.
const (
	MaxNameLength        = 50
	MaxDescriptionLength = 1000
)

// Template is a lease template.
type Template struct {
	UUID             string
	Name             string
	Description      string
	RequiresApproval bool
	Visibility       Visibility
	// CreatedBy is always the caller who created the template.
	CreatedBy string
	lease.Terms
	// Heartbeat is the default and maximum heartbeat timeout of the
	// leases requested on this template.
	Heartbeat lease.Heartbeat

	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks the template field by field, its terms across fields,
// and (when given) against the global limits and cost report groups.
func (t Template) Validate(limits lease.Limits, groups lease.ReportGroups) error {
	var f fault.Fields
	if t.UUID != "" && !lease.ValidUUID(t.UUID) {
		f.Add("uuid", "must be a UUID")
	}
	if len(t.Name) < 1 || len(t.Name) > MaxNameLength {
		f.Add("name", "must be 1 to %d characters", MaxNameLength)
	}
	if len(t.Description) > MaxDescriptionLength {
		f.Add("description", "must be at most %d characters", MaxDescriptionLength)
	}
	if t.Visibility != Public && t.Visibility != Private {
		f.Add("visibility", "must be PUBLIC or PRIVATE")
	}
	if !lease.ValidEmail(t.CreatedBy) {
		f.Add("createdBy", "must be an email address")
	}
	f.Merge("", t.Terms.Validate(limits, groups))
	f.Merge("", t.Heartbeat.Validate())
	return f.Err()
}

// VisibleTo reports whether a caller sees the template: managers and
// admins see every template, others only public ones.
func (t Template) VisibleTo(privileged bool) bool {
	return privileged || t.Visibility == Public
}
