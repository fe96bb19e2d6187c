package lease

import (
	"fmt"
	"regexp"
	"time"

	"github.com/isb-go/isb/common/email"
	"github.com/isb-go/isb/common/fault"
)

// AutoApproved is the approver recorded when a template needs no approval.
const AutoApproved = "AUTO_APPROVED"

// MaxCommentLength bounds free text such as request comments.
const MaxCommentLength = 1000

// Lease is one lease of a sandbox account by one user.
type Lease struct {
	Key
	Status Status
	Terms

	OriginalTemplateUUID string
	OriginalTemplateName string
	Comments             string
	CreatedBy            string

	// Set when an account is granted.
	AccountID        string
	ApprovedBy       string
	StartDate        time.Time
	ExpirationDate   *time.Time
	LastCheckedDate  time.Time
	TotalCostAccrued float64

	// EndRequested is the terminal status (Expired or BudgetExceeded) the
	// lease monitor already asked the lifecycle manager for, and
	// EndRequestedAt when. While it is set the monitor does not ask again;
	// a patch that changes the budget or the expiration clears it.
	EndRequested   Status
	EndRequestedAt time.Time

	// HeartbeatTimeoutMinutes is how long the holder may stay silent (0:
	// the lease does not beat); HeartbeatDeadline is the last beat (or the
	// request, or the grant) plus that timeout, cleared when the lease ends.
	HeartbeatTimeoutMinutes int
	HeartbeatDeadline       *time.Time

	// Set when the lease ends.
	EndDate time.Time
	// TTL is when the store may delete the ended lease (epoch seconds).
	TTL int64

	// Version counts the writes to this lease; every update is
	// conditional on the version it read.
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	StatusChangedAt time.Time
}

// Transition returns a copy of l in status to, or a conflict error naming
// both statuses when the transition table forbids it. It stamps the times
// that the new status implies.
func (l Lease) Transition(to Status, now time.Time) (Lease, error) {
	if !CanTransition(l.Status, to) {
		return l, &fault.ConflictError{Entity: "lease", Key: l.Key.String(),
			Reason: fmt.Sprintf("cannot go from %s to %s", l.Status, to)}
	}
	l.Status = to
	l.StatusChangedAt = now
	if to.Terminal() && l.EndDate.IsZero() {
		l.EndDate = now
	}
	if to.Terminal() {
		l.HeartbeatDeadline = nil
	}
	return l, nil
}

// Request is what a user sends to ask for a lease.
type Request struct {
	LeaseTemplateUUID string
	Comments          string
	// UserEmail names the lessee when a manager requests on someone's
	// behalf; empty means the caller.
	UserEmail string
	// HeartbeatTimeoutMinutes asks for a heartbeat; nil takes the
	// template's default.
	HeartbeatTimeoutMinutes *int
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidUUID reports whether s is a canonical UUID.
func ValidUUID(s string) bool { return uuidPattern.MatchString(s) }

// MaxEmailLength is the longest email address accepted (email.MaxLength);
// emails are table keys, which DynamoDB caps at 2,048 bytes.
const MaxEmailLength = email.MaxLength

// ValidEmail reports whether s is a bare ASCII email address of at most
// MaxEmailLength bytes: what email.Normalize accepts (in any case).
func ValidEmail(s string) bool {
	_, err := email.Normalize(s)
	return err == nil
}

// Validate checks a lease request field by field.
func (r Request) Validate() error {
	var f fault.Fields
	if !ValidUUID(r.LeaseTemplateUUID) {
		f.Add("leaseTemplateUuid", "must be a UUID")
	}
	if len(r.Comments) > MaxCommentLength {
		f.Add("comments", "must be at most %d characters", MaxCommentLength)
	}
	if r.UserEmail != "" && !ValidEmail(r.UserEmail) {
		f.Add("userEmail", "must be an email address")
	}
	if h := r.HeartbeatTimeoutMinutes; h != nil && (*h < 1 || *h > MaxHeartbeatTimeoutMinutes) {
		f.Add("heartbeatTimeoutMinutes", "must be 1 to %d minutes", MaxHeartbeatTimeoutMinutes)
	}
	return f.Err()
}

// Patch is a manager's change to a running lease. A nil field is left
// alone; a Clear flag removes the value.
type Patch struct {
	MaxSpend             *float64
	ClearMaxSpend        bool
	ExpirationDate       *time.Time
	ClearExpirationDate  bool
	BudgetThresholds     *[]BudgetThreshold
	DurationThresholds   *[]DurationThreshold
	CostReportGroup      *string
	ClearCostReportGroup bool
}

// Apply returns l with the patch applied, validated against the limits and
// report groups. Only leases holding an account may be patched; the new
// duration (expiration minus start) must respect the global maximum.
func (l Lease) Apply(p Patch, limits Limits, groups ReportGroups) (Lease, error) {
	if !l.Status.Monitored() {
		var f fault.Fields
		f.Add("status", "only Active or Frozen leases can be changed; this one is %s", l.Status)
		return l, f.Err()
	}
	var f fault.Fields
	switch {
	case p.ClearMaxSpend:
		l.MaxSpend = nil
	case p.MaxSpend != nil:
		l.MaxSpend = p.MaxSpend
	}
	switch {
	case p.ClearExpirationDate:
		l.ExpirationDate = nil
		l.LeaseDurationInHours = nil
	case p.ExpirationDate != nil:
		if !p.ExpirationDate.After(l.StartDate) {
			f.Add("expirationDate", "must be after the lease start (%s)", l.StartDate.Format(time.RFC3339))
		}
		exp := *p.ExpirationDate
		l.ExpirationDate = &exp
		hours := exp.Sub(l.StartDate).Hours()
		l.LeaseDurationInHours = &hours
	}
	if p.BudgetThresholds != nil {
		l.BudgetThresholds = *p.BudgetThresholds
	}
	if p.DurationThresholds != nil {
		l.DurationThresholds = *p.DurationThresholds
	}
	switch {
	case p.ClearCostReportGroup:
		l.CostReportGroup = nil
	case p.CostReportGroup != nil:
		l.CostReportGroup = p.CostReportGroup
	}
	if err := l.Terms.Validate(limits, groups); err != nil {
		f.Merge("", err)
	}
	if err := f.Err(); err != nil {
		return l, err
	}
	if p.ClearMaxSpend || p.MaxSpend != nil || p.ClearExpirationDate || p.ExpirationDate != nil {
		// New limits: the monitor judges the lease afresh.
		l.EndRequested, l.EndRequestedAt = "", time.Time{}
	}
	return l, nil
}
