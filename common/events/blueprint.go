package events

import (
	"strconv"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

// RegionConcurrency is how a StackSet operation walks the regions; the
// values are CloudFormation's RegionConcurrencyType.
type RegionConcurrency string

// Region concurrency types.
const (
	RegionsSequential RegionConcurrency = "SEQUENTIAL"
	RegionsParallel   RegionConcurrency = "PARALLEL"
)

// RegionConcurrencies lists every RegionConcurrency.
var RegionConcurrencies = []RegionConcurrency{RegionsSequential, RegionsParallel}

// ConcurrencyMode is CloudFormation's StackSet ConcurrencyMode.
type ConcurrencyMode string

// Concurrency modes.
const (
	ConcurrencyStrict       ConcurrencyMode = "STRICT_FAILURE_TOLERANCE"
	ConcurrencySoftFailures ConcurrencyMode = "SOFT_FAILURE_TOLERANCE"
)

// ConcurrencyModes lists every ConcurrencyMode.
var ConcurrencyModes = []ConcurrencyMode{ConcurrencyStrict, ConcurrencySoftFailures}

// Limits of a blueprint deployment request.
const (
	MinDeploymentTimeoutMinutes = 5
	MaxDeploymentTimeoutMinutes = 480
)

// DeploymentErrorType classifies a failed blueprint deployment.
type DeploymentErrorType string

// Deployment error types.
const (
	// DeploymentFailed: CloudFormation reported the operation FAILED or
	// STOPPED.
	DeploymentFailed DeploymentErrorType = "DeploymentFailed"
	// DeploymentTimeout: the operation ran past deploymentTimeoutMinutes.
	DeploymentTimeout DeploymentErrorType = "DeploymentTimeout"
	// DeploymentInvalid: the StackSet could not be deployed at all (missing,
	// deleted, not self-managed, not active).
	DeploymentInvalid DeploymentErrorType = "DeploymentInvalid"
)

// DeploymentErrorTypes lists every DeploymentErrorType.
var DeploymentErrorTypes = []DeploymentErrorType{DeploymentFailed, DeploymentTimeout, DeploymentInvalid}

// BlueprintDeploymentRequest asks the blueprint workflow to deploy a
// blueprint's StackSet into a lease's account. The lease is Provisioning
// until a BlueprintDeploymentSucceeded or BlueprintDeploymentFailed.
type BlueprintDeploymentRequest struct {
	LeaseID                  lease.Key         `json:"leaseId"`
	AccountID                string            `json:"accountId"`
	BlueprintID              string            `json:"blueprintId"`
	BlueprintName            string            `json:"blueprintName"`
	StackSetID               string            `json:"stackSetId"`
	Regions                  []string          `json:"regions"`
	RegionConcurrencyType    RegionConcurrency `json:"regionConcurrencyType"`
	DeploymentTimeoutMinutes int               `json:"deploymentTimeoutMinutes"`
	// MaxConcurrentPercentage is 1..100; absent means CloudFormation's
	// default.
	MaxConcurrentPercentage *int `json:"maxConcurrentPercentage,omitempty"`
	// FailureTolerancePercentage is 0..100; absent means 0.
	FailureTolerancePercentage *int            `json:"failureTolerancePercentage,omitempty"`
	ConcurrencyMode            ConcurrencyMode `json:"concurrencyMode,omitempty"`
}

// Validate checks the required fields and the deployment limits.
func (e BlueprintDeploymentRequest) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	checkUUID(&f, "blueprintId", e.BlueprintID)
	checkRequired(&f, "blueprintName", e.BlueprintName)
	checkRequired(&f, "stackSetId", e.StackSetID)
	if len(e.Regions) == 0 {
		f.Add("regions", "must list at least one region")
	}
	seen := make(map[string]bool, len(e.Regions))
	for i, r := range e.Regions {
		field := "regions[" + strconv.Itoa(i) + "]"
		switch {
		case !regionPattern.MatchString(r):
			f.Add(field, "must be a region name such as us-east-1")
		case seen[r]:
			f.Add(field, "repeats region %s", r)
		}
		seen[r] = true
	}
	oneOf(&f, "regionConcurrencyType", e.RegionConcurrencyType, RegionConcurrencies)
	if e.DeploymentTimeoutMinutes < MinDeploymentTimeoutMinutes ||
		e.DeploymentTimeoutMinutes > MaxDeploymentTimeoutMinutes {
		f.Add("deploymentTimeoutMinutes", "must be between %d and %d",
			MinDeploymentTimeoutMinutes, MaxDeploymentTimeoutMinutes)
	}
	if p := e.MaxConcurrentPercentage; p != nil && (*p < 1 || *p > 100) {
		f.Add("maxConcurrentPercentage", "must be between 1 and 100")
	}
	if p := e.FailureTolerancePercentage; p != nil && (*p < 0 || *p > 100) {
		f.Add("failureTolerancePercentage", "must be between 0 and 100")
	}
	if e.ConcurrencyMode != "" {
		oneOf(&f, "concurrencyMode", e.ConcurrencyMode, ConcurrencyModes)
	}
	return f.Err()
}

// BlueprintDeploymentSucceeded: the blueprint is deployed; the lifecycle
// manager grants the lessee access.
type BlueprintDeploymentSucceeded struct {
	LeaseID     lease.Key `json:"leaseId"`
	AccountID   string    `json:"accountId"`
	BlueprintID string    `json:"blueprintId"`
	// OperationID is the StackSet operation id.
	OperationID string `json:"operationId"`
	// DurationSeconds is how long the deployment took (upstream always
	// sent 0 under the name "duration").
	DurationSeconds int `json:"durationSeconds"`
}

// Validate checks the required fields.
func (e BlueprintDeploymentSucceeded) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	checkUUID(&f, "blueprintId", e.BlueprintID)
	checkRequired(&f, "operationId", e.OperationID)
	if e.DurationSeconds < 0 {
		f.Add("durationSeconds", "must not be negative")
	}
	return f.Err()
}

// BlueprintDeploymentFailed: the blueprint could not be deployed; the
// lifecycle manager terminates an auto-approved lease or resets a manually
// approved one to pending.
type BlueprintDeploymentFailed struct {
	LeaseID     lease.Key `json:"leaseId"`
	AccountID   string    `json:"accountId"`
	BlueprintID string    `json:"blueprintId"`
	// OperationID is absent when the deployment failed before CloudFormation
	// started an operation.
	OperationID  string              `json:"operationId,omitempty"`
	ErrorType    DeploymentErrorType `json:"errorType"`
	ErrorMessage string              `json:"errorMessage"`
}

// Validate checks the required fields.
func (e BlueprintDeploymentFailed) Validate() error {
	var f fault.Fields
	checkLeaseKey(&f, "leaseId", e.LeaseID)
	checkAccountID(&f, "accountId", e.AccountID)
	checkUUID(&f, "blueprintId", e.BlueprintID)
	oneOf(&f, "errorType", e.ErrorType, DeploymentErrorTypes)
	checkRequired(&f, "errorMessage", e.ErrorMessage)
	return f.Err()
}
