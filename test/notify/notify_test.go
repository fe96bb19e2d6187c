package notify_test

import (
	"fmt"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/test/emulator"
)

const (
	dev      = "dev@example.com"
	admin1   = "admin1@example.com"
	admin2   = "admin2@example.com"
	manager1 = "manager1@example.com"
	acct     = "222222222222"
)

func key() lease.Key { return lease.Key{UserEmail: dev, UUID: uuid.NewString()} }

func ptr[T any](v T) *T { return &v }

var execution = events.ExecutionContext{
	StateMachineExecutionArn:       "arn:aws:states:us-east-1:111111111111:execution:cleanup:1",
	StateMachineExecutionStartTime: t0,
}

// staffWorld has two admins and a manager.
func staffWorld(t *testing.T) *world {
	w := newWorld(t)
	w.member(w.idc.AdminGroupID, admin1)
	w.member(w.idc.AdminGroupID, admin2)
	w.member(w.idc.ManagerGroupID, manager1)
	return w
}

func TestEveryEventTypeEmailsItsRecipients(t *testing.T) {
	w := staffWorld(t)
	user := []string{"to:" + dev}
	staff := []string{"bcc:" + admin1, "bcc:" + admin2, "bcc:" + manager1}
	userAndStaff := append(append([]string{}, user...), staff...)
	admins := []string{"bcc:" + admin1, "bcc:" + admin2}
	tests := []struct {
		name    string
		ev      events.Event
		want    []string
		subject string
	}{
		{
			"a lease request goes to admins and managers",
			events.LeaseRequested{LeaseID: key(), Comments: "for a demo", RequiresManualApproval: true},
			staff,
			"new lease approval request",
		},
		{"an approval goes to the lessee", events.LeaseApproved{LeaseID: key(), AccountID: acct, ApprovedBy: manager1},
			user, "your lease was approved"},
		{"a denial goes to the lessee", events.LeaseDenied{LeaseID: key(), DeniedBy: manager1},
			user, "your lease request was denied"},
		{
			"a budget alert goes to the lessee",
			events.LeaseBudgetThresholdAlert{LeaseID: key(), AccountID: acct, Budget: ptr(50.0),
				TotalSpend: 26, BudgetThresholdTriggered: 25, ActionRequested: events.ActionAlert},
			user,
			"your lease has spent $26.00",
		},
		{"a duration alert goes to the lessee", events.LeaseDurationThresholdAlert{LeaseID: key(), AccountID: acct,
			TriggeredDurationThreshold: 24, LeaseDurationInHours: ptr(168), ActionRequested: events.ActionAlert},
			user, "your lease ends in 24 hours"},
		{"a freeze by budget goes to the lessee and the staff", events.LeaseFrozen{LeaseID: key(), AccountID: acct,
			Reason: events.FrozenByBudget(40, ptr(50.0), 41)}, userAndStaff, "lease of " + dev + " frozen"},
		{"a freeze by duration goes to the lessee and the staff", events.LeaseFrozen{LeaseID: key(), AccountID: acct,
			Reason: events.FrozenByDuration(12, ptr(168))}, userAndStaff, "frozen"},
		{"a manual freeze goes to the lessee only", events.LeaseFrozen{LeaseID: key(), AccountID: acct,
			Reason: events.FrozenManually("audit")}, user, "frozen"},
		{
			"a termination by budget goes to the lessee and the staff",
			events.LeaseTerminated{LeaseID: key(), AccountID: acct,
				Reason: events.TerminatedBudgetExceeded(ptr(50.0), 51)},
			userAndStaff,
			"ended (BudgetExceeded)",
		},
		{
			"a termination by expiry goes to the lessee and the staff",
			events.LeaseTerminated{LeaseID: key(), AccountID: acct,
				Reason: events.TerminatedExpired(ptr(168))},
			userAndStaff,
			"ended (Expired)",
		},
		{
			"a termination after failed provisioning goes to the lessee and the staff",
			events.LeaseTerminated{LeaseID: key(), AccountID: acct,
				Reason: events.TerminatedWithComment(
					events.TerminationProvisioningFailed,
					"stack failed",
				)},
			userAndStaff,
			"ended (ProvisioningFailed)",
		},
		{"a manual termination goes to the lessee only", events.LeaseTerminated{LeaseID: key(), AccountID: acct,
			Reason: events.TerminatedWithComment(
				events.TerminationManual,
				"done",
			)}, user, "ended (ManuallyTerminated)"},
		{"a termination by quarantine goes to the lessee only", events.LeaseTerminated{LeaseID: key(), AccountID: acct,
			Reason: events.TerminatedWithComment(
				events.TerminationAccountQuarantined,
				"",
			)}, user, "ended (AccountQuarantined)"},
		{"an ejection goes to the lessee only", events.LeaseTerminated{LeaseID: key(), AccountID: acct,
			Reason: events.TerminatedWithComment(events.TerminationEjected, "")}, user, "ended (Ejected)"},
		{
			"an unfreeze goes to the lessee",
			events.LeaseUnfrozen{LeaseID: key(), AccountID: acct, MaxBudget: ptr(100.0), Reason: "budget raised"},
			user,
			"your lease is active again",
		},
		{
			"a failed provisioning goes to admins and managers",
			events.LeaseProvisioningFailed{LeaseID: key(), AccountID: acct, BlueprintName: "vpc"},
			staff,
			"blueprint deployment failed",
		},
		{
			"a failed cleanup goes to the admins",
			events.AccountCleanupFailed{AccountID: acct, CleanupExecutionContext: execution,
				Reason: events.CleanupLeaseTermination, ConsecutiveFailures: 2},
			admins,
			"cleanup of account " + acct + " failed",
		},
		{
			"a drift goes to the admins",
			events.AccountDriftDetected{AccountID: acct, ExpectedOU: "Available", ActualOU: "Active"},
			admins,
			"account " + acct + " drifted",
		},
		{
			"a cost report goes to the admins",
			events.GroupCostReportGenerated{ReportMonth: "2026-10", FileName: "2026/10/report.csv",
				BucketName: "reports", Timestamp: t0},
			admins,
			"cost report for 2026-10",
		},
		{
			"a failed cost report goes to the admins",
			events.GroupCostReportGeneratedFailure{ReportMonth: "2026-10", Timestamp: t0,
				LogName: "group-cost"},
			admins,
			"cost report for 2026-10 failed",
		},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.ev.DetailType()] = true
		t.Run(tc.name, func(t *testing.T) {
			w.t = t
			w.ok(tc.ev)
			mails := w.newMail()
			if len(mails) != 1 {
				t.Fatalf("sent %d emails, want 1", len(mails))
			}
			if d := diff(sorted(tc.want...), recipients(mails)); d != "" {
				t.Errorf("recipients:\n%s", d)
			}
			if m := mails[0]; !strings.Contains(m.Subject, tc.subject) || m.Source != sender {
				t.Errorf(
					"email from %q with subject %q, want from %q with a subject containing %q",
					m.Source,
					m.Subject,
					sender,
					tc.subject,
				)
			}
		})
	}
	for _, dt := range names.EmailDetailTypes {
		if !covered[dt] {
			t.Errorf("no case sends %s", dt)
		}
	}
}

func TestUserTextIsEscapedInTheHTMLBody(t *testing.T) {
	w := staffWorld(t)
	w.ok(
		events.LeaseRequested{
			LeaseID:                key(),
			Comments:               `<script>alert("x")</script> & more`,
			RequiresManualApproval: true,
		},
	)
	mails := w.newMail()
	if len(mails) != 1 {
		t.Fatalf("sent %d emails, want 1", len(mails))
	}
	body := mails[0].Body
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") ||
		!strings.Contains(body, "&amp; more") {
		t.Errorf("the comment is not escaped in the HTML body:\n%s", body)
	}
	if !strings.Contains(body, `href="`+webApp+`/approvals"`) {
		t.Errorf("the body lacks the link to the approvals page:\n%s", body)
	}
}

func TestOneHundredTwentyAdminsGetThreeMessagesOfAtMostFifty(t *testing.T) {
	w := newWorld(t)
	var want []string
	for i := range 120 {
		a := fmt.Sprintf("admin%03d@example.com", i)
		w.member(w.idc.AdminGroupID, a)
		want = append(want, "bcc:"+a)
	}
	w.ok(events.AccountDriftDetected{AccountID: acct, ExpectedOU: "Available", ActualOU: "Active"})
	mails := w.newMail()
	if len(mails) != 3 {
		t.Fatalf("sent %d emails, want 3", len(mails))
	}
	for _, m := range mails {
		if n := len(recipients([]emulator.SentEmail{m})); n > 50 {
			t.Errorf("a message has %d destinations, more than 50", n)
		}
	}
	if d := diff(sorted(want...), recipients(mails)); d != "" {
		t.Errorf("recipients:\n%s", d)
	}
}

func TestAFailingRecipientIsIsolatedAndTheOthersStillReceive(t *testing.T) {
	w := staffWorld(t)
	const bad = "bounced@example.com"
	w.member(w.idc.ManagerGroupID, bad)
	h := w.handler(failSendTo(&sestypes.MessageRejected{Message: aws.String("Address blacklisted: " + bad)}, bad))
	if failed := w.handle(h, w.message(events.LeaseFrozen{LeaseID: key(), AccountID: acct,
		Reason: events.FrozenByBudget(40, ptr(50.0), 41)})); len(failed) > 0 {
		t.Fatalf("the event failed (%v); a bad recipient must not fail it", failed)
	}
	want := sorted("to:"+dev, "bcc:"+admin1, "bcc:"+admin2, "bcc:"+manager1)
	if d := diff(want, recipients(w.newMail())); d != "" {
		t.Errorf("recipients:\n%s", d)
	}
	if got := strings.Count(w.metrics.String(), `"EmailFailures":1`); got != 1 {
		t.Errorf("%d EmailFailures data points, want 1:\n%s", got, w.metrics.String())
	}
}

func TestNoSenderSendsNothingAndAcknowledgesTheBatch(t *testing.T) {
	w := staffWorld(t)
	w.global.Notification.EmailFrom = ""
	msgs := []awsevents.SQSMessage{w.message(events.LeaseRequested{LeaseID: key(), RequiresManualApproval: true}),
		w.message(events.AccountDriftDetected{AccountID: acct, ExpectedOU: "Available", ActualOU: "Active"})}
	if failed := w.handle(w.handler(), msgs...); len(failed) > 0 {
		t.Errorf("messages failed with email off: %v", failed)
	}
	if mails := w.newMail(); len(mails) != 0 {
		t.Errorf("sent %d emails with email off", len(mails))
	}
}

func TestAnEventDeliveredTwiceSendsOneEmail(t *testing.T) {
	w := staffWorld(t)
	ev := events.LeaseTerminated{LeaseID: key(), AccountID: acct, Reason: events.TerminatedExpired(ptr(168))}
	first := w.message(ev)
	// The outbox re-publishes the record: a new event id and message, the
	// same source, time and detail.
	republished := w.message(ev)
	redelivered := first
	redelivered.MessageId = "redelivered"
	if failed := w.handle(w.handler(), first, redelivered); len(failed) > 0 {
		t.Fatalf("messages failed: %v", failed)
	}
	if failed := w.handle(w.handler(), republished); len(failed) > 0 {
		t.Fatalf("messages failed: %v", failed)
	}
	mails := w.newMail()
	if len(mails) != 1 {
		t.Fatalf("sent %d emails, want 1", len(mails))
	}
	want := sorted("to:"+dev, "bcc:"+admin1, "bcc:"+admin2, "bcc:"+manager1)
	if d := diff(want, recipients(mails)); d != "" {
		t.Errorf("recipients:\n%s", d)
	}
}

func TestAnAccountLevelErrorFailsTheMessageForRetry(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"throttling", &sestypes.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}},
		{
			"sending paused",
			&sestypes.SendingPausedException{Message: aws.String("Sending is paused for this account.")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := staffWorld(t)
			ok := w.message(events.AccountDriftDetected{AccountID: acct, ExpectedOU: "Available", ActualOU: "Active"})
			ev := w.message(
				events.LeaseFrozen{LeaseID: key(), AccountID: acct, Reason: events.FrozenByBudget(40, ptr(50.0), 41)},
			)
			// Only the frozen lease's email (the one to the lessee) hits the fault.
			failed := w.handle(w.handler(failSendTo(tc.err, dev)), ok, ev)
			if d := diff([]string{ev.MessageId}, failed); d != "" {
				t.Fatalf("batch item failures:\n%s", d)
			}
			if d := diff(sorted("bcc:"+admin1, "bcc:"+admin2), recipients(w.newMail())); d != "" {
				t.Errorf("only the other event's email should have been sent:\n%s", d)
			}
			// The retry, once SES accepts mail again, sends the email once.
			if failed := w.handle(w.handler(), ev, ok); len(failed) > 0 {
				t.Fatalf("the retry failed: %v", failed)
			}
			want := sorted("to:"+dev, "bcc:"+admin1, "bcc:"+admin2, "bcc:"+manager1)
			if d := diff(want, recipients(w.newMail())); d != "" {
				t.Errorf("the retry's recipients:\n%s", d)
			}
		})
	}
}

func TestAnUnverifiedSenderFailsTheMessageForRetry(t *testing.T) {
	w := staffWorld(t)
	w.global.Notification.EmailFrom = "unverified@example.org"
	m := w.message(events.LeaseApproved{LeaseID: key(), AccountID: acct, ApprovedBy: events.AutoApproved})
	if d := diff([]string{m.MessageId}, w.handle(w.handler(), m)); d != "" {
		t.Errorf("batch item failures:\n%s", d)
	}
	if mails := w.newMail(); len(mails) != 0 {
		t.Errorf("sent %d emails from an unverified sender", len(mails))
	}
	if strings.Contains(w.metrics.String(), "EmailFailures") {
		t.Errorf("an account-level error was counted as a recipient failure:\n%s", w.metrics.String())
	}
}
