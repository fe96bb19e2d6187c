package events

import (
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
)

// ThresholdAction is what a budget or duration threshold asks for when it
// is crossed.
type ThresholdAction = lease.Action

// Threshold actions.
const (
	ActionAlert  = lease.ActionAlert
	ActionFreeze = lease.ActionFreeze
)

// ThresholdActions lists every ThresholdAction.
var ThresholdActions = []ThresholdAction{ActionAlert, ActionFreeze}

// LeaseRequested: a lease waits for a manager's approval. The API emits it;
// the email function tells admins and managers.
type LeaseRequested struct {
	LeaseID                lease.Key `json:"leaseId"`
	Comments               string    `json:"comments,omitempty"`
	RequiresManualApproval bool      `json:"requiresManualApproval"`
}

// Validate checks the required fields.
func (e LeaseRequested) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	return f.Err()
}

// LeaseApproved: the lessee has been given access to the account. The API
// emits it on approval of a lease without blueprint; the lifecycle manager
// emits it after a blueprint deployment succeeded.
type LeaseApproved struct {
	LeaseID   lease.Key `json:"leaseId"`
	AccountID string    `json:"accountId"`
	// ApprovedBy is the approver's email or AutoApproved.
	ApprovedBy string `json:"approvedBy"`
}

// Validate checks the required fields.
func (e LeaseApproved) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	if e.ApprovedBy != AutoApproved {
		checkEmail(&f, "approvedBy", e.ApprovedBy)
	}
	return f.Err()
}

// LeaseDenied: a manager refused a pending lease.
type LeaseDenied struct {
	LeaseID  lease.Key `json:"leaseId"`
	DeniedBy string    `json:"deniedBy"`
}

// Validate checks the required fields.
func (e LeaseDenied) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkEmail(&f, "deniedBy", e.DeniedBy)
	return f.Err()
}

// LeaseBudgetThresholdAlert: the lease's spend crossed a budget threshold
// whose action is not a freeze. Monitoring emits it; the lessee is emailed.
type LeaseBudgetThresholdAlert struct {
	LeaseID   lease.Key `json:"leaseId"`
	AccountID string    `json:"accountId"`
	// Budget is the lease's maximum spend, absent when it has none.
	Budget     *float64 `json:"budget,omitempty"`
	TotalSpend float64  `json:"totalSpend"`
	// BudgetThresholdTriggered is the threshold crossed, in USD spent.
	BudgetThresholdTriggered float64         `json:"budgetThresholdTriggered"`
	ActionRequested          ThresholdAction `json:"actionRequested"`
}

// Validate checks the required fields.
func (e LeaseBudgetThresholdAlert) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	checkOptionalMoney(&f, "budget", e.Budget)
	checkMoney(&f, "totalSpend", e.TotalSpend)
	checkPositiveMoney(&f, "budgetThresholdTriggered", e.BudgetThresholdTriggered)
	oneOf(&f, "actionRequested", e.ActionRequested, ThresholdActions)
	return f.Err()
}

// LeaseDurationThresholdAlert: the lease's remaining time crossed a
// duration threshold whose action is not a freeze.
type LeaseDurationThresholdAlert struct {
	LeaseID   lease.Key `json:"leaseId"`
	AccountID string    `json:"accountId"`
	// TriggeredDurationThreshold is the threshold crossed, in hours
	// remaining before expiry.
	TriggeredDurationThreshold int `json:"triggeredDurationThreshold"`
	// LeaseDurationInHours is absent when the lease has an expiration date
	// but no configured duration (upstream crashed on that case).
	LeaseDurationInHours *int            `json:"leaseDurationInHours,omitempty"`
	ActionRequested      ThresholdAction `json:"actionRequested"`
}

// Validate checks the required fields.
func (e LeaseDurationThresholdAlert) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	checkPositive(&f, "triggeredDurationThreshold", e.TriggeredDurationThreshold)
	checkOptionalPositive(&f, "leaseDurationInHours", e.LeaseDurationInHours)
	oneOf(&f, "actionRequested", e.ActionRequested, ThresholdActions)
	return f.Err()
}

// LeaseFreezingThresholdAlert: a threshold with the freeze action was
// crossed. Monitoring emits it; the lifecycle manager freezes the lease.
type LeaseFreezingThresholdAlert struct {
	LeaseID   lease.Key    `json:"leaseId"`
	AccountID string       `json:"accountId"`
	Reason    FreezeReason `json:"reason"`
}

// Validate checks the required fields. A threshold alert cannot carry a
// manual freeze reason.
func (e LeaseFreezingThresholdAlert) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	if e.Reason.Type == FreezeManual {
		f.Add("reason.type", "must be %s or %s for a threshold alert", FreezeExpired, FreezeBudgetExceeded)
	} else {
		e.Reason.validate(&f, "reason.")
	}
	return f.Err()
}

// LeaseBudgetExceeded: the lease's spend reached its budget. Monitoring
// emits it; the lifecycle manager terminates the lease.
type LeaseBudgetExceeded struct {
	LeaseID    lease.Key `json:"leaseId"`
	AccountID  string    `json:"accountId"`
	Budget     float64   `json:"budget"`
	TotalSpend float64   `json:"totalSpend"`
}

// Validate checks the required fields.
func (e LeaseBudgetExceeded) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	checkMoney(&f, "budget", e.Budget)
	checkMoney(&f, "totalSpend", e.TotalSpend)
	return f.Err()
}

// LeaseExpired: the lease passed its expiration date. Monitoring emits it;
// the lifecycle manager terminates the lease.
type LeaseExpired struct {
	LeaseID             lease.Key `json:"leaseId"`
	AccountID           string    `json:"accountId"`
	LeaseExpirationDate time.Time `json:"leaseExpirationDate"`
}

// Validate checks the required fields.
func (e LeaseExpired) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	checkTime(&f, "leaseExpirationDate", e.LeaseExpirationDate)
	return f.Err()
}

// LeaseTerminated: the lease reached a terminal status and access was
// revoked.
type LeaseTerminated struct {
	LeaseID   lease.Key         `json:"leaseId"`
	AccountID string            `json:"accountId"`
	Reason    TerminationReason `json:"reason"`
}

// Source returns names.SourceAPI for the terminations a person asks for
// (ManuallyTerminated, Ejected) and names.SourceLifecycle for the others.
func (e LeaseTerminated) Source() string {
	switch e.Reason.Type {
	case TerminationManual, TerminationEjected:
		return names.SourceAPI
	default:
		return names.SourceLifecycle
	}
}

// Validate checks the required fields and the reason.
func (e LeaseTerminated) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	e.Reason.validate(&f, "reason.")
	return f.Err()
}

// LeaseFrozen: the lessee's access was revoked and the account moved to
// the frozen state; resources keep running.
type LeaseFrozen struct {
	LeaseID   lease.Key    `json:"leaseId"`
	AccountID string       `json:"accountId"`
	Reason    FreezeReason `json:"reason"`
}

// Source returns names.SourceAPI for a manual freeze and
// names.SourceLifecycle for a freeze by threshold.
func (e LeaseFrozen) Source() string {
	if e.Reason.Type == FreezeManual {
		return names.SourceAPI
	}
	return names.SourceLifecycle
}

// Validate checks the required fields and the reason.
func (e LeaseFrozen) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	e.Reason.validate(&f, "reason.")
	return f.Err()
}

// LeaseUnfrozen: a frozen lease is active again and the lessee has access.
type LeaseUnfrozen struct {
	LeaseID   lease.Key `json:"leaseId"`
	AccountID string    `json:"accountId"`
	// MaxBudget is the lease's maximum spend, absent when it has none.
	MaxBudget *float64 `json:"maxBudget,omitempty"`
	// LeaseDurationInHours is absent when the lease has no duration.
	LeaseDurationInHours *int   `json:"leaseDurationInHours,omitempty"`
	Reason               string `json:"reason,omitempty"`
}

// Validate checks the required fields.
func (e LeaseUnfrozen) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	checkOptionalMoney(&f, "maxBudget", e.MaxBudget)
	checkOptionalPositive(&f, "leaseDurationInHours", e.LeaseDurationInHours)
	return f.Err()
}

// LeaseProvisioningFailed: the blueprint of a manually approved lease
// failed to deploy; the lease went back to pending approval and the
// account to cleanup.
type LeaseProvisioningFailed struct {
	LeaseID       lease.Key `json:"leaseId"`
	AccountID     string    `json:"accountId"`
	BlueprintName string    `json:"blueprintName"`
}

// Validate checks the required fields.
func (e LeaseProvisioningFailed) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	checkRequired(&f, "blueprintName", e.BlueprintName)
	return f.Err()
}
