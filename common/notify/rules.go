package notify

import (
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/names"
)

// Audience says who receives the email of an event: the lessee (To), the
// members of the admin group and of the manager group (Bcc).
type Audience struct {
	User     bool
	Admins   bool
	Managers bool
}

// ruleKey selects a rule: the detail-type and, for the events whose
// recipients depend on it, the reason type (empty otherwise).
type ruleKey struct {
	detailType string
	reason     string
}

var (
	userOnly      = Audience{User: true}
	staff         = Audience{Admins: true, Managers: true}
	userAndStaff  = Audience{User: true, Admins: true, Managers: true}
	adminsOnly    = Audience{Admins: true}
	terminationBy = func(t events.TerminationType) ruleKey { return ruleKey{names.LeaseTerminated, string(t)} }
	freezeBy      = func(t events.FreezeType) ruleKey { return ruleKey{names.LeaseFrozen, string(t)} }
)

// rules is who receives what (upstream section 9.3). Upstream sends the
// lessee and the staff two separate emails for a freeze or termination by
// threshold; here it is one message with the lessee in To and the staff in
// Bcc, so nobody sees anybody else's address.
var rules = map[ruleKey]Audience{
	{names.LeaseRequested, ""}:                          staff,
	{names.LeaseApproved, ""}:                           userOnly,
	{names.LeaseDenied, ""}:                             userOnly,
	{names.LeaseUnfrozen, ""}:                           userOnly,
	{names.LeaseBudgetThresholdAlert, ""}:               userOnly,
	{names.LeaseDurationThresholdAlert, ""}:             userOnly,
	freezeBy(events.FreezeBudgetExceeded):               userAndStaff,
	freezeBy(events.FreezeExpired):                      userAndStaff,
	freezeBy(events.FreezeManual):                       userOnly,
	terminationBy(events.TerminationBudgetExceeded):     userAndStaff,
	terminationBy(events.TerminationExpired):            userAndStaff,
	terminationBy(events.TerminationProvisioningFailed): userAndStaff,
	terminationBy(events.TerminationManual):             userOnly,
	terminationBy(events.TerminationAccountQuarantined): userOnly,
	terminationBy(events.TerminationEjected):            userOnly,
	terminationBy(events.TerminationHeartbeatTimedOut):  userOnly,
	{names.LeaseProvisioningFailed, ""}:                 staff,
	{names.AccountCleanupFailed, ""}:                    adminsOnly,
	{names.AccountDriftDetected, ""}:                    adminsOnly,
	{names.GroupCostReportGenerated, ""}:                adminsOnly,
	{names.GroupCostReportGeneratedFailure, ""}:         adminsOnly,
}

// AudienceOf returns who receives the email of ev; false when ev sends no
// email (a detail-type outside names.EmailDetailTypes or an unknown
// reason).
func AudienceOf(ev events.Event) (Audience, bool) {
	a, ok := rules[ruleKey{ev.DetailType(), reasonOf(ev)}]
	return a, ok
}

// reasonOf returns the reason type of the events whose recipients depend
// on it, else "".
func reasonOf(ev events.Event) string {
	switch e := ev.(type) {
	case events.LeaseFrozen:
		return string(e.Reason.Type)
	case events.LeaseTerminated:
		return string(e.Reason.Type)
	}
	return ""
}
