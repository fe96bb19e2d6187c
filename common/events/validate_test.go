package events

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
)

func ptr[T any](v T) *T { return &v }

var zeroTime time.Time

func TestValidateNamesTheBrokenField(t *testing.T) {
	requested := fixture[LeaseRequested](t)
	approved := fixture[LeaseApproved](t)
	denied := fixture[LeaseDenied](t)
	budgetAlert := fixture[LeaseBudgetThresholdAlert](t)
	durationAlert := fixture[LeaseDurationThresholdAlert](t)
	freezeAlert := fixture[LeaseFreezingThresholdAlert](t)
	exceeded := fixture[LeaseBudgetExceeded](t)
	expired := fixture[LeaseExpired](t)
	terminated := fixture[LeaseTerminated](t)
	frozen := fixture[LeaseFrozen](t)
	unfrozen := fixture[LeaseUnfrozen](t)
	provisioningFailed := fixture[LeaseProvisioningFailed](t)
	clean := fixture[CleanAccountRequest](t)
	cleaned := fixture[AccountCleanupSucceeded](t)
	cleanFailed := fixture[AccountCleanupFailed](t)
	quarantined := fixture[AccountQuarantined](t)
	drift := fixture[AccountDriftDetected](t)
	bpRequest := fixture[BlueprintDeploymentRequest](t)
	bpSucceeded := fixture[BlueprintDeploymentSucceeded](t)
	bpFailed := fixture[BlueprintDeploymentFailed](t)
	report := fixture[GroupCostReportGenerated](t)
	reportFailed := fixture[GroupCostReportGeneratedFailure](t)

	tests := []struct {
		name  string
		event Event
		field string
	}{
		{"lease request without lease id names the leaseId field",
			with(requested, func(e *LeaseRequested) { e.LeaseID = lease.Key{} }), "leaseId"},
		{"lease request with a lessee that is not an email names leaseId.userEmail",
			with(requested, func(e *LeaseRequested) { e.LeaseID.UserEmail = "maria" }), "leaseId.userEmail"},
		{"lease request with a lease uuid that is not a UUID names leaseId.uuid",
			with(requested, func(e *LeaseRequested) { e.LeaseID.UUID = "42" }), "leaseId.uuid"},
		{"approval by nobody names the approvedBy field",
			with(approved, func(e *LeaseApproved) { e.ApprovedBy = "" }), "approvedBy"},
		{"approval without account names the accountId field",
			with(approved, func(e *LeaseApproved) { e.AccountID = "" }), "accountId"},
		{"denial by a name instead of an email names the deniedBy field",
			with(denied, func(e *LeaseDenied) { e.DeniedBy = "Olu" }), "deniedBy"},
		{"budget alert without account id names the accountId field",
			with(budgetAlert, func(e *LeaseBudgetThresholdAlert) { e.AccountID = "" }), "accountId"},
		{"budget alert with an 11-digit account id names the accountId field",
			with(budgetAlert, func(e *LeaseBudgetThresholdAlert) { e.AccountID = "12345678901" }), "accountId"},
		{"budget alert with a negative spend names the totalSpend field",
			with(budgetAlert, func(e *LeaseBudgetThresholdAlert) { e.TotalSpend = -1 }), "totalSpend"},
		{"budget alert with an infinite budget names the budget field",
			with(budgetAlert, func(e *LeaseBudgetThresholdAlert) { e.Budget = ptr(math.Inf(1)) }), "budget"},
		{"budget alert without a threshold names budgetThresholdTriggered",
			with(
				budgetAlert,
				func(e *LeaseBudgetThresholdAlert) { e.BudgetThresholdTriggered = 0 },
			), "budgetThresholdTriggered"},
		{"budget alert with an unknown action names actionRequested",
			with(budgetAlert, func(e *LeaseBudgetThresholdAlert) { e.ActionRequested = "PANIC" }), "actionRequested"},
		{"duration alert without a threshold names triggeredDurationThreshold",
			with(
				durationAlert,
				func(e *LeaseDurationThresholdAlert) { e.TriggeredDurationThreshold = 0 },
			), "triggeredDurationThreshold"},
		{"duration alert with a zero lease duration names leaseDurationInHours",
			with(
				durationAlert,
				func(e *LeaseDurationThresholdAlert) { e.LeaseDurationInHours = ptr(0) },
			), "leaseDurationInHours"},
		{"freezing alert with a manual reason names reason.type",
			with(freezeAlert, func(e *LeaseFreezingThresholdAlert) { e.Reason = FrozenManually("no") }), "reason.type"},
		{"freezing alert by budget without total spend names reason.totalSpend",
			with(freezeAlert, func(e *LeaseFreezingThresholdAlert) { e.Reason.TotalSpend = nil }), "reason.totalSpend"},
		{"budget exceeded without account id names the accountId field",
			with(exceeded, func(e *LeaseBudgetExceeded) { e.AccountID = "" }), "accountId"},
		{"budget exceeded with a NaN spend names the totalSpend field",
			with(exceeded, func(e *LeaseBudgetExceeded) { e.TotalSpend = math.NaN() }), "totalSpend"},
		{"expiry without a date names leaseExpirationDate",
			with(expired, func(e *LeaseExpired) { e.LeaseExpirationDate = zeroTime }), "leaseExpirationDate"},
		{"termination without a reason names reason.type",
			with(terminated, func(e *LeaseTerminated) { e.Reason = TerminationReason{} }), "reason.type"},
		{"termination with an unknown reason type names reason.type",
			with(terminated, func(e *LeaseTerminated) { e.Reason.Type = "Bored" }), "reason.type"},
		{"termination by budget without total spend names reason.totalSpend",
			with(terminated, func(e *LeaseTerminated) { e.Reason.TotalSpend = nil }), "reason.totalSpend"},
		{"termination by expiry carrying a budget names reason.budget",
			with(
				terminated,
				func(e *LeaseTerminated) { e.Reason.Type = TerminationExpired; e.Reason.TotalSpend = nil },
			),
			"reason.budget"},
		{"manual termination carrying a lease duration names reason.leaseDurationInHours",
			with(terminated, func(e *LeaseTerminated) {
				e.Reason = TerminatedWithComment(TerminationManual, "done")
				e.Reason.LeaseDurationInHours = ptr(8)
			}), "reason.leaseDurationInHours"},
		{"expiry termination with a zero duration names reason.leaseDurationInHours",
			with(
				terminated,
				func(e *LeaseTerminated) { e.Reason = TerminatedExpired(ptr(0)) },
			), "reason.leaseDurationInHours"},
		{"freeze by duration without the threshold names reason.triggeredDurationThreshold",
			with(
				frozen,
				func(e *LeaseFrozen) { e.Reason.TriggeredDurationThreshold = nil },
			), "reason.triggeredDurationThreshold"},
		{"manual freeze carrying a budget threshold names reason.triggeredBudgetThreshold",
			with(
				frozen,
				func(e *LeaseFrozen) {
					e.Reason = FreezeReason{Type: FreezeManual, TriggeredBudgetThreshold: ptr(
						50.0)}
				},
			),
			"reason.triggeredBudgetThreshold"},
		{"freeze by budget with a zero threshold names reason.triggeredBudgetThreshold",
			with(
				frozen,
				func(e *LeaseFrozen) { e.Reason = FrozenByBudget(0, nil, 10) },
			), "reason.triggeredBudgetThreshold"},
		{"unfreeze with a negative budget names the maxBudget field",
			with(unfrozen, func(e *LeaseUnfrozen) { e.MaxBudget = ptr(-5.0) }), "maxBudget"},
		{"provisioning failure without blueprint name names blueprintName",
			with(provisioningFailed, func(e *LeaseProvisioningFailed) { e.BlueprintName = " " }), "blueprintName"},
		{"clean request without account id names the accountId field",
			with(clean, func(e *CleanAccountRequest) { e.AccountID = "" }), "accountId"},
		{"clean request with an unknown reason names the reason field",
			with(clean, func(e *CleanAccountRequest) { e.Reason = "BECAUSE" }), "reason"},
		{"cleanup success without an execution arn names cleanupExecutionContext.stateMachineExecutionArn",
			with(cleaned, func(e *AccountCleanupSucceeded) { e.CleanupExecutionContext.StateMachineExecutionArn = "" }),
			"cleanupExecutionContext.stateMachineExecutionArn"},
		{
			"cleanup success with an execution name instead of an arn names cleanupExecutionContext.stateMachineExecutionArn",
			with(
				cleaned,
				func(e *AccountCleanupSucceeded) { e.CleanupExecutionContext.StateMachineExecutionArn = "exec-1" },
			),
			"cleanupExecutionContext.stateMachineExecutionArn",
		},
		{"cleanup success without a start time names cleanupExecutionContext.stateMachineExecutionStartTime",
			with(
				cleaned,
				func(e *AccountCleanupSucceeded) {
					e.CleanupExecutionContext.StateMachineExecutionStartTime = zeroTime
				},
			),
			"cleanupExecutionContext.stateMachineExecutionStartTime"},
		{"cleanup failure without a failure count names consecutiveFailures",
			with(cleanFailed, func(e *AccountCleanupFailed) { e.ConsecutiveFailures = 0 }), "consecutiveFailures"},
		{"cleanup failure without a reason names the reason field",
			with(cleanFailed, func(e *AccountCleanupFailed) { e.Reason = "" }), "reason"},
		{"quarantine without account id names the accountId field",
			with(quarantined, func(e *AccountQuarantined) { e.AccountID = "" }), "accountId"},
		{"quarantine without a reason names the reason field",
			with(quarantined, func(e *AccountQuarantined) { e.Reason = "" }), "reason"},
		{"drift with neither OU names the actualOu field",
			with(drift, func(e *AccountDriftDetected) { e.ActualOU, e.ExpectedOU = "", "" }), "actualOu"},
		{"drift into the expected OU names the actualOu field",
			with(drift, func(e *AccountDriftDetected) { e.ActualOU = e.ExpectedOU }), "actualOu"},
		{"blueprint request without regions names the regions field",
			with(bpRequest, func(e *BlueprintDeploymentRequest) { e.Regions = nil }), "regions"},
		{"blueprint request with a bad region names that region",
			with(
				bpRequest,
				func(e *BlueprintDeploymentRequest) { e.Regions = []string{"eu-west-2", "Mars"} },
			), "regions[1]"},
		{"blueprint request with a repeated region names the repeat",
			with(
				bpRequest,
				func(e *BlueprintDeploymentRequest) { e.Regions = []string{"eu-west-2", "eu-west-2"} },
			), "regions[1]"},
		{"blueprint request with a four-minute timeout names deploymentTimeoutMinutes",
			with(
				bpRequest,
				func(e *BlueprintDeploymentRequest) { e.DeploymentTimeoutMinutes = 4 },
			), "deploymentTimeoutMinutes"},
		{"blueprint request with 0 percent concurrency names maxConcurrentPercentage",
			with(
				bpRequest,
				func(e *BlueprintDeploymentRequest) { e.MaxConcurrentPercentage = ptr(0) },
			), "maxConcurrentPercentage"},
		{"blueprint request with 101 percent tolerance names failureTolerancePercentage",
			with(
				bpRequest,
				func(e *BlueprintDeploymentRequest) { e.FailureTolerancePercentage = ptr(101) },
			), "failureTolerancePercentage"},
		{"blueprint request with an unknown concurrency mode names concurrencyMode",
			with(bpRequest, func(e *BlueprintDeploymentRequest) { e.ConcurrencyMode = "STRICT" }), "concurrencyMode"},
		{"blueprint request without region concurrency names regionConcurrencyType",
			with(
				bpRequest,
				func(e *BlueprintDeploymentRequest) { e.RegionConcurrencyType = "" },
			), "regionConcurrencyType"},
		{"blueprint request without a blueprint id names blueprintId",
			with(bpRequest, func(e *BlueprintDeploymentRequest) { e.BlueprintID = "" }), "blueprintId"},
		{"blueprint success without operation id names operationId",
			with(bpSucceeded, func(e *BlueprintDeploymentSucceeded) { e.OperationID = "" }), "operationId"},
		{"blueprint success with a negative duration names durationSeconds",
			with(bpSucceeded, func(e *BlueprintDeploymentSucceeded) { e.DurationSeconds = -1 }), "durationSeconds"},
		{"blueprint failure with an unknown error type names errorType",
			with(bpFailed, func(e *BlueprintDeploymentFailed) { e.ErrorType = "Oops" }), "errorType"},
		{"blueprint failure without a message names errorMessage",
			with(bpFailed, func(e *BlueprintDeploymentFailed) { e.ErrorMessage = "" }), "errorMessage"},
		{"cost report for month 13 names reportMonth",
			with(report, func(e *GroupCostReportGenerated) { e.ReportMonth = "2026-13" }), "reportMonth"},
		{"cost report for a date instead of a month names reportMonth",
			with(report, func(e *GroupCostReportGenerated) { e.ReportMonth = "2026-02-01" }), "reportMonth"},
		{"cost report without a bucket names bucketName",
			with(report, func(e *GroupCostReportGenerated) { e.BucketName = "" }), "bucketName"},
		{"cost report failure without a log name names logName",
			with(reportFailed, func(e *GroupCostReportGeneratedFailure) { e.LogName = "" }), "logName"},
		{"cost report failure without a timestamp names timestamp",
			with(reportFailed, func(e *GroupCostReportGeneratedFailure) { e.Timestamp = zeroTime }), "timestamp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.event.Validate()
			if !fault.Has(err, tc.field) {
				t.Fatalf("Validate() = %v, want an error naming %s", err, tc.field)
			}
			if !errors.Is(err, fault.Invalid) {
				t.Errorf("Validate() error %v does not match fault.Invalid", err)
			}
		})
	}
}

// with returns a copy of e changed by change.
func with[T Event](e T, change func(*T)) Event {
	change(&e)
	return e
}

func TestDecodeValidatesWhatItDecodes(t *testing.T) {
	tests := []struct {
		name       string
		detailType string
		detail     string
		field      string
	}{
		{"budget exceeded without account id names the accountId field", names.LeaseBudgetExceeded,
			`{"leaseId":{"userEmail":"maria.silva@example.com","uuid":"3f2b8c1e-6d4a-4f7b-9c2e-8a1d5e7f9b30"},` +
				`"budget":100,"totalSpend":104.12}`, "accountId"},
		{"quarantine spelled the upstream way (awsAccountId) is an unknown field, not a silent miss",
			names.AccountQuarantined, `{"awsAccountId":"123456789012","reason":"Drift"}`, ""},
		{"lease approval with a bare uuid lease id is refused", names.LeaseApproved,
			`{"leaseId":"3f2b8c1e-6d4a-4f7b-9c2e-8a1d5e7f9b30","accountId":"123456789012","approvedBy":"AUTO_APPROVED"}`, ""},
		{"termination by expiry with a comment names reason.comment", names.LeaseTerminated,
			`{"leaseId":{"userEmail":"maria.silva@example.com","uuid":"3f2b8c1e-6d4a-4f7b-9c2e-8a1d5e7f9b30"},` +
				`"accountId":"123456789012","reason":{"type":"Expired","comment":"late"}}`, "reason.comment"},
		{"cleanup failure without execution context names its arn", names.AccountCleanupFailed,
			`{"accountId":"123456789012","reason":"LEASE_TERMINATION","consecutiveFailures":1}`,
			"cleanupExecutionContext.stateMachineExecutionArn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.detailType, []byte(tc.detail))
			if err == nil {
				t.Fatal("Decode succeeded, want an error")
			}
			if !errors.Is(err, fault.Invalid) {
				t.Errorf("error %v does not match fault.Invalid", err)
			}
			if tc.field != "" && !fault.Has(err, tc.field) {
				t.Errorf("error %v does not name %s", err, tc.field)
			}
		})
	}
}

func TestValidEventsPass(t *testing.T) {
	key := lease.Key{UserEmail: "ci-bot@example.com", UUID: "0e4d6c2a-1b3f-4a5e-8d7c-9f0a1b2c3d4e"}
	const acct = "123456789012"
	tests := []struct {
		name  string
		event Event
	}{
		{"an auto-approved lease is valid", LeaseApproved{LeaseID: key, AccountID: acct, ApprovedBy: AutoApproved}},
		{"a lease request without comments is valid", LeaseRequested{LeaseID: key}},
		{"a duration alert without lease duration is valid (upstream crashed here)",
			LeaseDurationThresholdAlert{
				LeaseID:                    key,
				AccountID:                  acct,
				TriggeredDurationThreshold: 2,
				ActionRequested:            ActionAlert,
			}},
		{"a budget alert for a lease without budget is valid",
			LeaseBudgetThresholdAlert{
				LeaseID:                  key,
				AccountID:                acct,
				TotalSpend:               12.5,
				BudgetThresholdTriggered: 10,
				ActionRequested:          ActionAlert,
			}},
		{"a termination by expiry without lease duration is valid",
			LeaseTerminated{LeaseID: key, AccountID: acct, Reason: TerminatedExpired(nil)}},
		{"a termination by expiry with lease duration is valid",
			LeaseTerminated{LeaseID: key, AccountID: acct, Reason: TerminatedExpired(ptr(24))}},
		{"a termination by budget without budget is valid",
			LeaseTerminated{LeaseID: key, AccountID: acct, Reason: TerminatedBudgetExceeded(nil, 0)}},
		{"a manual termination without comment is valid",
			LeaseTerminated{LeaseID: key, AccountID: acct, Reason: TerminatedWithComment(TerminationManual, "")}},
		{"a termination by quarantine with comment is valid",
			LeaseTerminated{
				LeaseID:   key,
				AccountID: acct,
				Reason:    TerminatedWithComment(TerminationAccountQuarantined, "Cleanup failed"),
			}},
		{"an ejection is valid",
			LeaseTerminated{LeaseID: key, AccountID: acct, Reason: TerminatedWithComment(TerminationEjected, "")}},
		{"a provisioning failure termination is valid",
			LeaseTerminated{
				LeaseID:   key,
				AccountID: acct,
				Reason:    TerminatedWithComment(TerminationProvisioningFailed, "stack failed"),
			}},
		{"a freeze by duration without lease duration is valid",
			LeaseFrozen{LeaseID: key, AccountID: acct, Reason: FrozenByDuration(4, nil)}},
		{"a freeze by budget is valid",
			LeaseFrozen{LeaseID: key, AccountID: acct, Reason: FrozenByBudget(80, ptr(100.0), 81)}},
		{"a manual freeze is valid", LeaseFrozen{LeaseID: key, AccountID: acct, Reason: FrozenManually("")}},
		{"a freezing alert by duration is valid",
			LeaseFreezingThresholdAlert{LeaseID: key, AccountID: acct, Reason: FrozenByDuration(4, ptr(48))}},
		{"an unfreeze with nothing optional is valid", LeaseUnfrozen{LeaseID: key, AccountID: acct}},
		{"drift of an untracked account is valid", AccountDriftDetected{AccountID: acct, ActualOU: "Active"}},
		{
			"drift of an account that left every OU is valid",
			AccountDriftDetected{AccountID: acct, ExpectedOU: "Available"},
		},
		{"a blueprint request with defaults left out is valid",
			BlueprintDeploymentRequest{
				LeaseID: key, AccountID: acct, BlueprintID: "b7c4e2a9-5f1d-4c8b-a3e6-2d9f0b1c7e84",
				BlueprintName: "baseline", StackSetID: "bp:1", Regions: []string{"us-gov-west-1"},
				RegionConcurrencyType: RegionsParallel, DeploymentTimeoutMinutes: 480,
			}},
		{"a blueprint failure before any operation is valid",
			BlueprintDeploymentFailed{
				LeaseID: key, AccountID: acct, BlueprintID: "b7c4e2a9-5f1d-4c8b-a3e6-2d9f0b1c7e84",
				ErrorType: DeploymentInvalid, ErrorMessage: "StackSet not found",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(tc.event)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			back, err := Decode(tc.event.DetailType(), b)
			if err != nil {
				t.Fatalf("Decode of %s: %v", b, err)
			}
			wantMarshalsTo(t, b, back, "re-encoding changed the detail")
		})
	}
}

func TestReasonsValidateOnTheirOwn(t *testing.T) {
	if err := TerminatedBudgetExceeded(ptr(10.0), 12).Validate(); err != nil {
		t.Errorf("valid termination reason: %v", err)
	}
	if err := (TerminationReason{Type: TerminationBudgetExceeded}).Validate(); !fault.Has(err, "totalSpend") {
		t.Errorf("budget termination reason without spend: %v, want an error naming totalSpend", err)
	}
	if err := FrozenByDuration(2, nil).Validate(); err != nil {
		t.Errorf("valid freeze reason: %v", err)
	}
	if err := (FreezeReason{Type: FreezeExpired, Comment: "x"}).Validate(); !fault.Has(err, "comment") ||
		!fault.Has(err, "triggeredDurationThreshold") {
		t.Errorf("duration freeze reason with comment and no threshold: %v, want both fields named", err)
	}
}
