package events

import (
	"strings"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
)

// CleanupReason says why an account is sent to cleanup.
type CleanupReason string

// Cleanup reasons.
const (
	CleanupAccountRegistration CleanupReason = "ACCOUNT_REGISTRATION"
	CleanupLeaseTermination    CleanupReason = "LEASE_TERMINATION"
	CleanupRetryFailed         CleanupReason = "RETRY_FAILED_CLEANUP"
	CleanupLeaseReset          CleanupReason = "LEASE_RESET"
)

// CleanupReasons lists every CleanupReason.
var CleanupReasons = []CleanupReason{
	CleanupAccountRegistration, CleanupLeaseTermination, CleanupRetryFailed, CleanupLeaseReset,
}

// CleanAccountRequest asks the cleaner to nuke an account.
type CleanAccountRequest struct {
	AccountID string        `json:"accountId"`
	Reason    CleanupReason `json:"reason"`
}

// Source returns names.SourceAPI for registration and retry (both API
// routes) and names.SourceLifecycle for lease termination and reset.
func (e CleanAccountRequest) Source() string {
	switch e.Reason {
	case CleanupAccountRegistration, CleanupRetryFailed:
		return names.SourceAPI
	default:
		return names.SourceLifecycle
	}
}

// Validate checks the required fields.
func (e CleanAccountRequest) Validate() error {
	var f fault.Fields
	checkAccountID(&f, "accountId", e.AccountID)
	oneOf(&f, "reason", e.Reason, CleanupReasons)
	return f.Err()
}

// ExecutionContext identifies the cleanup run (a state machine execution).
type ExecutionContext struct {
	StateMachineExecutionArn       string    `json:"stateMachineExecutionArn"`
	StateMachineExecutionStartTime time.Time `json:"stateMachineExecutionStartTime"`
}

func (c ExecutionContext) validate(f *fault.Fields, prefix string) {
	switch {
	case c.StateMachineExecutionArn == "":
		f.Add(prefix+"stateMachineExecutionArn", "is required")
	case !strings.HasPrefix(c.StateMachineExecutionArn, "arn:"):
		f.Add(prefix+"stateMachineExecutionArn", "must be an ARN")
	}
	checkTime(f, prefix+"stateMachineExecutionStartTime", c.StateMachineExecutionStartTime)
}

// AccountCleanupSucceeded: the cleaner finished; the lifecycle manager
// makes the account available.
type AccountCleanupSucceeded struct {
	AccountID               string           `json:"accountId"`
	CleanupExecutionContext ExecutionContext `json:"cleanupExecutionContext"`
	Reason                  CleanupReason    `json:"reason"`
}

// Validate checks the required fields.
func (e AccountCleanupSucceeded) Validate() error {
	var f fault.Fields
	checkAccountID(&f, "accountId", e.AccountID)
	e.CleanupExecutionContext.validate(&f, "cleanupExecutionContext.")
	oneOf(&f, "reason", e.Reason, CleanupReasons)
	return f.Err()
}

// AccountCleanupFailed: the cleaner gave up on an account. The lifecycle
// manager decides from ConsecutiveFailures whether to retry or quarantine.
type AccountCleanupFailed struct {
	AccountID               string           `json:"accountId"`
	CleanupExecutionContext ExecutionContext `json:"cleanupExecutionContext"`
	Reason                  CleanupReason    `json:"reason"`
	// ConsecutiveFailures counts the failed cleanup runs of this account
	// since its last successful one, this run included (so at least 1).
	ConsecutiveFailures int `json:"consecutiveFailures"`
	// ErrorMessage is the cleaner's last error, when it has one.
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// Validate checks the required fields.
func (e AccountCleanupFailed) Validate() error {
	var f fault.Fields
	checkAccountID(&f, "accountId", e.AccountID)
	e.CleanupExecutionContext.validate(&f, "cleanupExecutionContext.")
	oneOf(&f, "reason", e.Reason, CleanupReasons)
	checkPositive(&f, "consecutiveFailures", e.ConsecutiveFailures)
	return f.Err()
}

// AccountQuarantined: the account was moved to quarantine and its leases
// terminated.
type AccountQuarantined struct {
	AccountID string `json:"accountId"`
	Reason    string `json:"reason"`
}

// Validate checks the required fields.
func (e AccountQuarantined) Validate() error {
	var f fault.Fields
	checkAccountID(&f, "accountId", e.AccountID)
	checkRequired(&f, "reason", e.Reason)
	return f.Err()
}

// AccountDriftDetected: an account is not in the OU its status says.
// ExpectedOU is absent for an account the platform does not track;
// ActualOU is absent for an account that left every platform OU.
type AccountDriftDetected struct {
	AccountID  string `json:"accountId"`
	ActualOU   string `json:"actualOu,omitempty"`
	ExpectedOU string `json:"expectedOu,omitempty"`
}

// Validate checks the required fields: at least one OU, and two different
// OUs when both are given.
func (e AccountDriftDetected) Validate() error {
	var f fault.Fields
	checkAccountID(&f, "accountId", e.AccountID)
	switch {
	case e.ActualOU == "" && e.ExpectedOU == "":
		f.Add("actualOu", "is required when expectedOu is absent")
	case e.ActualOU == e.ExpectedOU:
		f.Add("actualOu", "must differ from expectedOu")
	}
	return f.Err()
}
