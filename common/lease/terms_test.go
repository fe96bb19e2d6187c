package lease

import (
	"errors"
	"testing"
	"time"

	"github.com/isb-go/isb/common/fault"
)

func f64(v float64) *float64 { return &v }
func str(s string) *string   { return &s }

// capLimits is a fake of the global limits: maxSpend ≤ 100, duration ≤ 48 h.
type capLimits struct{}

func (capLimits) CheckBudget(v *float64) error {
	var f fault.Fields
	if v == nil {
		f.Add("maxSpend", "is required")
	} else if *v > 100 {
		f.Add("maxSpend", "must be at most 100")
	}
	return f.Err()
}

func (capLimits) CheckDuration(v *float64) error {
	var f fault.Fields
	if v != nil && *v > 48 {
		f.Add("leaseDurationInHours", "must be at most 48")
	}
	return f.Err()
}

type groupList []string

func (g groupList) CheckCostReportGroup(s *string) error {
	if s == nil {
		return nil
	}
	for _, v := range g {
		if v == *s {
			return nil
		}
	}
	var f fault.Fields
	f.Add("costReportGroup", "is not a configured group")
	return f.Err()
}

func TestTermsValidation(t *testing.T) {
	valid := Terms{MaxSpend: f64(50), LeaseDurationInHours: f64(24),
		BudgetThresholds:   []BudgetThreshold{{25, ActionAlert}, {40, ActionFreeze}},
		DurationThresholds: []DurationThreshold{{4, ActionAlert}},
	}
	tests := []struct {
		name   string
		mutate func(*Terms)
		limits Limits
		groups ReportGroups
		field  string // "" = valid
	}{
		{"well-formed terms are valid", func(*Terms) {}, capLimits{}, groupList{"eng"}, ""},
		{"zero max spend names maxSpend", func(t *Terms) { t.MaxSpend = f64(0) }, nil, nil, "maxSpend"},
		{"negative duration names leaseDurationInHours", func(t *Terms) { t.LeaseDurationInHours = f64(-1) }, nil, nil, "leaseDurationInHours"},
		{"empty cost report group names costReportGroup", func(t *Terms) { t.CostReportGroup = str("") }, nil, nil, "costReportGroup"},
		{"a 51-character cost report group names costReportGroup", func(t *Terms) { t.CostReportGroup = str(string(make([]byte, 51))) }, nil, nil, "costReportGroup"},
		{"a zero budget threshold names its dollarsSpent", func(t *Terms) { t.BudgetThresholds[0].DollarsSpent = 0 }, nil, nil, "budgetThresholds[0].dollarsSpent"},
		{"a budget threshold at max spend names its dollarsSpent", func(t *Terms) { t.BudgetThresholds[1].DollarsSpent = 50 }, nil, nil, "budgetThresholds[1].dollarsSpent"},
		{"duplicate budget thresholds name the second", func(t *Terms) { t.BudgetThresholds[1].DollarsSpent = 25 }, nil, nil, "budgetThresholds[1].dollarsSpent"},
		{"an unknown budget action names its action", func(t *Terms) { t.BudgetThresholds[0].Action = "EXPLODE" }, nil, nil, "budgetThresholds[0].action"},
		{"a zero duration threshold names its hoursRemaining", func(t *Terms) { t.DurationThresholds[0].HoursRemaining = 0 }, nil, nil, "durationThresholds[0].hoursRemaining"},
		{"a duration threshold beyond the lease names its hoursRemaining", func(t *Terms) { t.DurationThresholds[0].HoursRemaining = 30 }, nil, nil, "durationThresholds[0].hoursRemaining"},
		{"duplicate duration thresholds name the second", func(t *Terms) {
			t.DurationThresholds = append(t.DurationThresholds, DurationThreshold{4, ActionFreeze})
		}, nil, nil, "durationThresholds[1].hoursRemaining"},
		{"an unknown duration action names its action", func(t *Terms) { t.DurationThresholds[0].Action = "" }, nil, nil, "durationThresholds[0].action"},
		{"max spend above the global cap names maxSpend", func(t *Terms) { t.MaxSpend = f64(500) }, capLimits{}, nil, "maxSpend"},
		{"a missing max spend when the global config requires one names maxSpend", func(t *Terms) { t.MaxSpend = nil }, capLimits{}, nil, "maxSpend"},
		{"a duration above the global cap names leaseDurationInHours", func(t *Terms) { t.LeaseDurationInHours = f64(100) }, capLimits{}, nil, "leaseDurationInHours"},
		{"an unconfigured cost report group names costReportGroup", func(t *Terms) { t.CostReportGroup = str("ops") }, nil, groupList{"eng"}, "costReportGroup"},
		{"thresholds without a max spend are only checked for sign", func(t *Terms) { t.MaxSpend = nil }, nil, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			terms := valid
			terms.BudgetThresholds = append([]BudgetThreshold(nil), valid.BudgetThresholds...)
			terms.DurationThresholds = append([]DurationThreshold(nil), valid.DurationThresholds...)
			tc.mutate(&terms)
			err := terms.Validate(tc.limits, tc.groups)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if !errors.Is(err, fault.Invalid) || !fault.Has(err, tc.field) {
				t.Fatalf("want an error naming %s, got %v", tc.field, err)
			}
		})
	}
}

func TestRequestValidation(t *testing.T) {
	ok := "4f1c2b7e-9a3d-4e8f-b0c1-2d3e4f5a6b7c"
	long := string(make([]byte, MaxCommentLength+1))
	tests := []struct {
		name  string
		req   Request
		field string
	}{
		{"a request naming a template is valid", Request{LeaseTemplateUUID: ok}, ""},
		{"a request on behalf of a user is valid", Request{LeaseTemplateUUID: ok, UserEmail: "dev@example.com"}, ""},
		{"a template id that is not a UUID names leaseTemplateUuid", Request{LeaseTemplateUUID: "nope"}, "leaseTemplateUuid"},
		{"over-long comments name comments", Request{LeaseTemplateUUID: ok, Comments: long}, "comments"},
		{"a malformed user email names userEmail", Request{LeaseTemplateUUID: ok, UserEmail: "not-an-email"}, "userEmail"},
		{"a display-name email names userEmail", Request{LeaseTemplateUUID: ok, UserEmail: "Dev <dev@example.com>"}, "userEmail"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			if (tc.field == "") != (err == nil) || (tc.field != "" && !fault.Has(err, tc.field)) {
				t.Fatalf("want field %q, got %v", tc.field, err)
			}
		})
	}
}

func TestPatch(t *testing.T) {
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	base := Lease{Status: Active, StartDate: start, Terms: Terms{MaxSpend: f64(50), LeaseDurationInHours: f64(24)}}
	later := start.Add(36 * time.Hour)
	before := start.Add(-time.Hour)
	tooLate := start.Add(100 * time.Hour)
	tests := []struct {
		name   string
		status Status
		patch  Patch
		field  string
		check  func(t *testing.T, l Lease)
	}{
		{"raising the budget within the cap updates maxSpend", Active, Patch{MaxSpend: f64(80)}, "", func(t *testing.T, l Lease) {
			if *l.MaxSpend != 80 {
				t.Errorf("maxSpend = %v", *l.MaxSpend)
			}
		}},
		{"a new expiration date recomputes the duration", Frozen, Patch{ExpirationDate: &later}, "", func(t *testing.T, l Lease) {
			if *l.LeaseDurationInHours != 36 || !l.ExpirationDate.Equal(later) {
				t.Errorf("duration %v expiration %v", *l.LeaseDurationInHours, l.ExpirationDate)
			}
		}},
		{"clearing the cost report group removes it", Active, Patch{ClearCostReportGroup: true}, "", func(t *testing.T, l Lease) {
			if l.CostReportGroup != nil {
				t.Error("group kept")
			}
		}},
		{"patching a pending lease names status", PendingApproval, Patch{MaxSpend: f64(10)}, "status", nil},
		{"a budget above the cap names maxSpend", Active, Patch{MaxSpend: f64(1000)}, "maxSpend", nil},
		{"clearing a required budget names maxSpend", Active, Patch{ClearMaxSpend: true}, "maxSpend", nil},
		{"an expiration before the start names expirationDate", Active, Patch{ExpirationDate: &before}, "expirationDate", nil},
		{"an expiration beyond the maximum duration names leaseDurationInHours", Active, Patch{ExpirationDate: &tooLate}, "leaseDurationInHours", nil},
		{"thresholds above the new budget name dollarsSpent", Active, Patch{BudgetThresholds: &[]BudgetThreshold{{60, ActionAlert}}}, "budgetThresholds[0].dollarsSpent", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := base
			l.Status = tc.status
			got, err := l.Apply(tc.patch, capLimits{}, nil)
			if tc.field != "" {
				if !fault.Has(err, tc.field) {
					t.Fatalf("want an error naming %s, got %v", tc.field, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, got)
		})
	}
}
