package lease

import (
	"fmt"

	"github.com/isb-go/isb/common/fault"
)

// Action is what a threshold does when it is crossed.
type Action string

// Threshold actions.
const (
	ActionAlert  Action = "ALERT"
	ActionFreeze Action = "FREEZE_ACCOUNT"
)

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return a == ActionAlert || a == ActionFreeze }

// BudgetThreshold fires when spend reaches DollarsSpent.
type BudgetThreshold struct {
	DollarsSpent float64 `json:"dollarsSpent"`
	Action       Action  `json:"action"`
}

// DurationThreshold fires when HoursRemaining are left on the lease.
type DurationThreshold struct {
	HoursRemaining float64 `json:"hoursRemaining"`
	Action         Action  `json:"action"`
}

// Terms are the limits a lease runs under. A lease template carries them
// and a lease copies them when it is requested.
type Terms struct {
	MaxSpend             *float64            `json:"maxSpend,omitempty"`
	LeaseDurationInHours *float64            `json:"leaseDurationInHours,omitempty"`
	BudgetThresholds     []BudgetThreshold   `json:"budgetThresholds,omitempty"`
	DurationThresholds   []DurationThreshold `json:"durationThresholds,omitempty"`
	CostReportGroup      *string             `json:"costReportGroup,omitempty"`
}

// Limits are the platform-wide caps from the global configuration.
// config.Global satisfies it.
type Limits interface {
	CheckBudget(maxSpend *float64) error
	CheckDuration(hours *float64) error
}

// ReportGroups checks a cost report group against the reporting
// configuration. config.Reporting satisfies it.
type ReportGroups interface {
	CheckCostReportGroup(group *string) error
}

// Validate checks the terms field by field and across fields: thresholds
// positive, below the maximum spend or the lease duration, and unique; and,
// when limits or groups are given, the global caps and cost report groups.
func (t Terms) Validate(limits Limits, groups ReportGroups) error {
	var f fault.Fields
	if t.MaxSpend != nil && !(*t.MaxSpend > 0) {
		f.Add("maxSpend", "must be greater than 0")
	}
	if t.LeaseDurationInHours != nil && !(*t.LeaseDurationInHours > 0) {
		f.Add("leaseDurationInHours", "must be greater than 0")
	}
	if t.CostReportGroup != nil && (len(*t.CostReportGroup) < 1 || len(*t.CostReportGroup) > 50) {
		f.Add("costReportGroup", "must be 1 to 50 characters")
	}
	seenBudget := map[float64]bool{}
	for i, th := range t.BudgetThresholds {
		field := fmt.Sprintf("budgetThresholds[%d]", i)
		switch {
		case !(th.DollarsSpent > 0):
			f.Add(field+".dollarsSpent", "must be greater than 0")
		case t.MaxSpend != nil && th.DollarsSpent >= *t.MaxSpend:
			f.Add(field+".dollarsSpent", "must be below maxSpend (%g)", *t.MaxSpend)
		case seenBudget[th.DollarsSpent]:
			f.Add(field+".dollarsSpent", "duplicates another threshold at %g", th.DollarsSpent)
		}
		seenBudget[th.DollarsSpent] = true
		if !th.Action.Valid() {
			f.Add(field+".action", "must be ALERT or FREEZE_ACCOUNT")
		}
	}
	seenDuration := map[float64]bool{}
	for i, th := range t.DurationThresholds {
		field := fmt.Sprintf("durationThresholds[%d]", i)
		switch {
		case !(th.HoursRemaining > 0):
			f.Add(field+".hoursRemaining", "must be greater than 0")
		case t.LeaseDurationInHours != nil && th.HoursRemaining >= *t.LeaseDurationInHours:
			f.Add(field+".hoursRemaining", "must be below leaseDurationInHours (%g)", *t.LeaseDurationInHours)
		case seenDuration[th.HoursRemaining]:
			f.Add(field+".hoursRemaining", "duplicates another threshold at %g", th.HoursRemaining)
		}
		seenDuration[th.HoursRemaining] = true
		if !th.Action.Valid() {
			f.Add(field+".action", "must be ALERT or FREEZE_ACCOUNT")
		}
	}
	if limits != nil {
		f.Merge("", limits.CheckBudget(t.MaxSpend))
		f.Merge("", limits.CheckDuration(t.LeaseDurationInHours))
	}
	if groups != nil {
		f.Merge("", groups.CheckCostReportGroup(t.CostReportGroup))
	}
	return f.Err()
}
