package notify

import (
	"testing"
	"time"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
)

var (
	k  = lease.Key{UserEmail: "dev@example.com", UUID: "4f1c2b9e-0000-4000-8000-000000000001"}
	t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
)

func ptr[T any](v T) *T { return &v }

// fixtures holds one valid event per email case, reasons included.
var fixtures = []events.Event{
	events.LeaseRequested{LeaseID: k, Comments: "for a demo", RequiresManualApproval: true},
	events.LeaseApproved{LeaseID: k, AccountID: "222222222222", ApprovedBy: "manager@example.com"},
	events.LeaseApproved{LeaseID: k, AccountID: "222222222222", ApprovedBy: events.AutoApproved},
	events.LeaseDenied{LeaseID: k, DeniedBy: "manager@example.com"},
	events.LeaseBudgetThresholdAlert{
		LeaseID:                  k,
		AccountID:                "222222222222",
		TotalSpend:               26,
		BudgetThresholdTriggered: 25,
		ActionRequested:          events.ActionAlert,
	},
	events.LeaseDurationThresholdAlert{
		LeaseID:                    k,
		AccountID:                  "222222222222",
		TriggeredDurationThreshold: 24,
		ActionRequested:            events.ActionAlert,
	},
	events.LeaseFrozen{LeaseID: k, AccountID: "222222222222", Reason: events.FrozenByBudget(40, ptr(50.0), 41)},
	events.LeaseFrozen{LeaseID: k, AccountID: "222222222222", Reason: events.FrozenByDuration(12, nil)},
	events.LeaseFrozen{LeaseID: k, AccountID: "222222222222", Reason: events.FrozenManually("audit")},
	events.LeaseTerminated{LeaseID: k, AccountID: "222222222222", Reason: events.TerminatedBudgetExceeded(nil, 51)},
	events.LeaseTerminated{LeaseID: k, AccountID: "222222222222", Reason: events.TerminatedExpired(ptr(168))},
	events.LeaseTerminated{
		LeaseID:   k,
		AccountID: "222222222222",
		Reason:    events.TerminatedWithComment(events.TerminationProvisioningFailed, "stack failed"),
	},
	events.LeaseTerminated{
		LeaseID:   k,
		AccountID: "222222222222",
		Reason:    events.TerminatedWithComment(events.TerminationManual, "done"),
	},
	events.LeaseTerminated{
		LeaseID:   k,
		AccountID: "222222222222",
		Reason:    events.TerminatedWithComment(events.TerminationAccountQuarantined, ""),
	},
	events.LeaseTerminated{
		LeaseID:   k,
		AccountID: "222222222222",
		Reason:    events.TerminatedWithComment(events.TerminationEjected, ""),
	},
	events.LeaseUnfrozen{LeaseID: k, AccountID: "222222222222", Reason: "budget raised"},
	events.LeaseProvisioningFailed{LeaseID: k, AccountID: "222222222222", BlueprintName: "vpc"},
	events.AccountCleanupFailed{
		AccountID:           "222222222222",
		Reason:              events.CleanupLeaseTermination,
		ConsecutiveFailures: 2,
		CleanupExecutionContext: events.ExecutionContext{
			StateMachineExecutionArn:       "arn:aws:states:us-east-1:111111111111:execution:c:1",
			StateMachineExecutionStartTime: t0,
		},
	},
	events.AccountDriftDetected{AccountID: "222222222222", ExpectedOU: "Available", ActualOU: "Active"},
	events.GroupCostReportGenerated{
		ReportMonth: "2026-10",
		FileName:    "2026/10/r.csv",
		BucketName:  "reports",
		Timestamp:   t0,
	},
	events.GroupCostReportGeneratedFailure{ReportMonth: "2026-10", Timestamp: t0, LogName: "group-cost"},
}

func TestAudienceOf(t *testing.T) {
	tests := []struct {
		name string
		ev   events.Event
		want Audience
	}{
		{"a lease request goes to admins and managers", events.LeaseRequested{LeaseID: k}, staff},
		{"an approval goes to the lessee", events.LeaseApproved{LeaseID: k}, userOnly},
		{"a denial goes to the lessee", events.LeaseDenied{LeaseID: k}, userOnly},
		{"an unfreeze goes to the lessee", events.LeaseUnfrozen{LeaseID: k}, userOnly},
		{"a budget alert goes to the lessee", events.LeaseBudgetThresholdAlert{LeaseID: k}, userOnly},
		{"a duration alert goes to the lessee", events.LeaseDurationThresholdAlert{LeaseID: k}, userOnly},
		{
			"a freeze by budget goes to the lessee and the staff",
			events.LeaseFrozen{Reason: events.FrozenByBudget(1, nil, 1)},
			userAndStaff,
		},
		{
			"a freeze by duration goes to the lessee and the staff",
			events.LeaseFrozen{Reason: events.FrozenByDuration(1, nil)},
			userAndStaff,
		},
		{"a manual freeze goes to the lessee only", events.LeaseFrozen{Reason: events.FrozenManually("")}, userOnly},
		{
			"a termination by budget goes to the lessee and the staff",
			events.LeaseTerminated{Reason: events.TerminatedBudgetExceeded(nil, 1)},
			userAndStaff,
		},
		{
			"a termination by expiry goes to the lessee and the staff",
			events.LeaseTerminated{Reason: events.TerminatedExpired(nil)},
			userAndStaff,
		},
		{"a termination after failed provisioning goes to the lessee and the staff",
			events.LeaseTerminated{
				Reason: events.TerminatedWithComment(events.TerminationProvisioningFailed, ""),
			}, userAndStaff},
		{
			"a manual termination goes to the lessee only",
			events.LeaseTerminated{Reason: events.TerminatedWithComment(events.TerminationManual, "")},
			userOnly,
		},
		{"a termination by quarantine goes to the lessee only",
			events.LeaseTerminated{
				Reason: events.TerminatedWithComment(events.TerminationAccountQuarantined, ""),
			}, userOnly},
		{
			"an ejection goes to the lessee only",
			events.LeaseTerminated{Reason: events.TerminatedWithComment(events.TerminationEjected, "")},
			userOnly,
		},
		{"a failed provisioning goes to admins and managers", events.LeaseProvisioningFailed{}, staff},
		{"a failed cleanup goes to the admins", events.AccountCleanupFailed{}, adminsOnly},
		{"a drift goes to the admins", events.AccountDriftDetected{}, adminsOnly},
		{"a cost report goes to the admins", events.GroupCostReportGenerated{}, adminsOnly},
		{"a failed cost report goes to the admins", events.GroupCostReportGeneratedFailure{}, adminsOnly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := AudienceOf(tc.ev)
			if !ok || got != tc.want {
				t.Errorf("AudienceOf = %+v, %v; want %+v, true", got, ok, tc.want)
			}
		})
	}
}

func TestAnEventOutsideTheEmailTypesSendsNoEmail(t *testing.T) {
	for _, ev := range []events.Event{
		events.CleanAccountRequest{AccountID: "222222222222", Reason: events.CleanupLeaseReset},
		events.LeaseExpired{LeaseID: k},
		events.AccountQuarantined{AccountID: "222222222222", Reason: "drift"},
	} {
		if a, ok := AudienceOf(ev); ok {
			t.Errorf("%s sends email to %+v, want none", ev.DetailType(), a)
		}
	}
}

func TestEveryEmailTypeAndReasonHasARule(t *testing.T) {
	seen := map[string]bool{}
	for _, ev := range fixtures {
		if _, ok := AudienceOf(ev); !ok {
			t.Errorf("%s (reason %q) has no rule", ev.DetailType(), reasonOf(ev))
		}
		seen[ev.DetailType()] = true
	}
	for _, r := range events.TerminationTypes {
		if _, ok := rules[ruleKey{names.LeaseTerminated, string(r)}]; !ok {
			t.Errorf("termination reason %s has no rule", r)
		}
	}
	for _, r := range events.FreezeTypes {
		if _, ok := rules[ruleKey{names.LeaseFrozen, string(r)}]; !ok {
			t.Errorf("freeze reason %s has no rule", r)
		}
	}
	for _, dt := range names.EmailDetailTypes {
		if !seen[dt] {
			t.Errorf("no fixture for %s", dt)
		}
	}
}

func TestTheLesseeIsTakenFromTheLeaseKey(t *testing.T) {
	for _, ev := range fixtures {
		a, _ := AudienceOf(ev)
		k, _ := events.LeaseOf(ev)
		user := k.UserEmail
		if a.User && user != k.UserEmail {
			t.Errorf("%s: lessee %q, want %q", ev.DetailType(), user, k.UserEmail)
		}
	}
}
