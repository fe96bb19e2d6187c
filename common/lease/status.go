// Package lease holds the lease aggregate: its statuses and the one table
// of allowed status transitions, the lease terms (budget, duration,
// thresholds) shared with lease templates, and their validation.
//
// It also holds the rules of a lease's lifetime, which every writer
// applies through it: a granted lease starts when it is granted and
// expires its duration later (Lease.Start, Terms.Expiry); an ended lease
// gets its TTL, the moment the table may drop it, leases.ttl days after
// it ended (Lease.End); and hours become the whole hours events carry in
// one way only (WholeHours): rounded to the nearest hour, a half hour
// up, and never below 1 for a positive duration (20.5 h is 21, 35.4 h is
// 35, a quarter of an hour is 1), so neither a threshold of 20.2 hours
// nor a lease of 120 h and a few seconds is announced an hour off.
package lease

import "slices"

// Status is the lifecycle status of a lease.
type Status string

// The 11 lease statuses.
const (
	// PendingApproval: requested, waiting for a manager (or auto-approval).
	PendingApproval Status = "PendingApproval"
	// ApprovalDenied: a manager denied the request. Terminal.
	ApprovalDenied Status = "ApprovalDenied"
	// Provisioning: approved, an account is granted, a blueprint is deploying.
	Provisioning Status = "Provisioning"
	// Active: the lessee has access to the account.
	Active Status = "Active"
	// Frozen: access revoked, resources kept; still monitored.
	Frozen Status = "Frozen"
	// Expired: the lease ran out of time (or a pending request timed out). Terminal.
	Expired Status = "Expired"
	// BudgetExceeded: spend reached the lease's maximum. Terminal.
	BudgetExceeded Status = "BudgetExceeded"
	// ManuallyTerminated: ended by the lessee or a manager. Terminal.
	ManuallyTerminated Status = "ManuallyTerminated"
	// AccountQuarantined: the account was quarantined under the lease. Terminal.
	AccountQuarantined Status = "AccountQuarantined"
	// Ejected: the account was ejected from the pool. Terminal.
	Ejected Status = "Ejected"
	// ProvisioningFailed: an auto-approved blueprint deployment failed. Terminal.
	ProvisioningFailed Status = "ProvisioningFailed"
)

// Statuses lists every lease status.
var Statuses = []Status{
	PendingApproval, ApprovalDenied, Provisioning, Active, Frozen, Expired,
	BudgetExceeded, ManuallyTerminated, AccountQuarantined, Ejected, ProvisioningFailed,
}

// transitions is the one table of allowed lease status changes. Every
// writer consults it through CanTransition; the store refuses anything else.
var transitions = map[Status][]Status{
	PendingApproval: {Active, Provisioning, ApprovalDenied, Expired, ManuallyTerminated},
	Provisioning:    {Active, ProvisioningFailed, PendingApproval, ManuallyTerminated, AccountQuarantined, Ejected},
	Active:          {Frozen, Expired, BudgetExceeded, ManuallyTerminated, AccountQuarantined, Ejected},
	Frozen:          {Active, Expired, BudgetExceeded, ManuallyTerminated, AccountQuarantined, Ejected},
}

// CanTransition reports whether a lease may move from one status to another.
// Staying in the same status is not a transition.
func CanTransition(from, to Status) bool {
	return slices.Contains(transitions[from], to)
}

// Valid reports whether s is one of the 11 statuses.
func (s Status) Valid() bool {
	return slices.Contains(Statuses, s)
}

// Terminal reports whether no transition leaves s.
func (s Status) Terminal() bool { return s.Valid() && len(transitions[s]) == 0 }

// Monitored reports whether the lease holds an account whose cost and time
// are watched (Active or Frozen).
func (s Status) Monitored() bool { return s == Active || s == Frozen }

// HoldsAccount reports whether a lease in s has an account granted to it.
func (s Status) HoldsAccount() bool { return s == Active || s == Frozen || s == Provisioning }

// CountsTowardLimit reports whether a lease in s counts against the
// per-user lease limit.
func (s Status) CountsTowardLimit() bool { return !s.Terminal() && s.Valid() }
