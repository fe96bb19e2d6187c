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
	budgets := make([]threshold, len(t.BudgetThresholds))
	for i, th := range t.BudgetThresholds {
		budgets[i] = threshold{th.DollarsSpent, th.Action}
	}
	checkThresholds(&f, "budgetThresholds", "dollarsSpent", "maxSpend", t.MaxSpend, budgets)
	durations := make([]threshold, len(t.DurationThresholds))
	for i, th := range t.DurationThresholds {
		durations[i] = threshold{th.HoursRemaining, th.Action}
	}
	checkThresholds(&f, "durationThresholds", "hoursRemaining", "leaseDurationInHours", t.LeaseDurationInHours, durations)
	if limits != nil {
		f.Merge("", limits.CheckBudget(t.MaxSpend))
		f.Merge("", limits.CheckDuration(t.LeaseDurationInHours))
	}
	if groups != nil {
		f.Merge("", groups.CheckCostReportGroup(t.CostReportGroup))
	}
	return f.Err()
}

// threshold is a budget or duration threshold: the value at which it
// fires and what it asks for.
type threshold struct {
	at     float64
	action Action
}

// checkThresholds checks one list of thresholds (list names it, unit its
// value's field): each value above 0, below the limit when there is one
// (limitName names it), none repeated, each action known.
func checkThresholds(f *fault.Fields, list, unit, limitName string, limit *float64, ths []threshold) {
	seen := map[float64]bool{}
	for i, th := range ths {
		field := fmt.Sprintf("%s[%d]", list, i)
		switch {
		case !(th.at > 0):
			f.Add(field+"."+unit, "must be greater than 0")
		case limit != nil && th.at >= *limit:
			f.Add(field+"."+unit, "must be below %s (%g)", limitName, *limit)
		case seen[th.at]:
			f.Add(field+"."+unit, "duplicates another threshold at %g", th.at)
		}
		seen[th.at] = true
		if !th.action.Valid() {
			f.Add(field+".action", "must be ALERT or FREEZE_ACCOUNT")
		}
	}
}
