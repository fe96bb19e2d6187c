package template_test

import (
	"testing"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/template"
)

// The shipped defaults cap budgets at $50 and leases at 168 hours and
// require both; these tests run templates through them.
var (
	_ lease.Limits       = config.Global{}
	_ lease.ReportGroups = config.Reporting{}
)

func TestTemplatesAgainstTheShippedGlobalLimits(t *testing.T) {
	global, reporting := config.DefaultGlobal(), config.DefaultReporting()
	f := func(v float64) *float64 { return &v }
	group := "platform"
	tests := []struct {
		name  string
		terms lease.Terms
		field string
	}{
		{"a $40, 24-hour template is within the limits", lease.Terms{MaxSpend: f(40), LeaseDurationInHours: f(24)}, ""},
		{"a $60 template exceeds the max budget", lease.Terms{MaxSpend: f(60), LeaseDurationInHours: f(24)}, "maxSpend"},
		{"a template without a budget is refused when one is required", lease.Terms{LeaseDurationInHours: f(24)}, "maxSpend"},
		{"a 200-hour template exceeds the max duration", lease.Terms{MaxSpend: f(40), LeaseDurationInHours: f(200)}, "leaseDurationInHours"},
		{"a template without a duration is refused when one is required", lease.Terms{MaxSpend: f(40)}, "leaseDurationInHours"},
		{"a cost report group that is not configured is refused", lease.Terms{MaxSpend: f(40), LeaseDurationInHours: f(24), CostReportGroup: &group}, "costReportGroup"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl := template.Template{Name: "x", Visibility: template.Public, CreatedBy: "m@example.com", Terms: tc.terms}
			err := tpl.Validate(global, reporting)
			if (tc.field == "") != (err == nil) || (tc.field != "" && !fault.Has(err, tc.field)) {
				t.Fatalf("want field %q, got %v", tc.field, err)
			}
		})
	}
}
