package template

import (
	"testing"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

func TestTemplateValidation(t *testing.T) {
	spend := 50.0
	valid := Template{Name: "Sandbox", Visibility: Public, CreatedBy: "mgr@example.com",
		Terms: lease.Terms{
			MaxSpend:         &spend,
			BudgetThresholds: []lease.BudgetThreshold{{DollarsSpent: 40, Action: lease.ActionAlert}},
		}}
	tests := []struct {
		name   string
		mutate func(*Template)
		field  string
	}{
		{"a named public template is valid", func(*Template) {}, ""},
		{"a private template is valid", func(t *Template) { t.Visibility = Private }, ""},
		{"an empty name names name", func(t *Template) { t.Name = "" }, "name"},
		{"a 51-character name names name", func(t *Template) { t.Name = string(make([]byte, 51)) }, "name"},
		{
			"an over-long description names description",
			func(t *Template) { t.Description = string(make([]byte, 1001)) },
			"description",
		},
		{"an unknown visibility names visibility", func(t *Template) { t.Visibility = "SECRET" }, "visibility"},
		{"a creator that is not an email names createdBy", func(t *Template) { t.CreatedBy = "bob" }, "createdBy"},
		{"a malformed uuid names uuid", func(t *Template) { t.UUID = "123" }, "uuid"},
		{"a threshold above max spend names its dollarsSpent", func(t *Template) {
			t.BudgetThresholds = []lease.BudgetThreshold{{DollarsSpent: 60, Action: lease.ActionAlert}}
		}, "budgetThresholds[0].dollarsSpent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl := valid
			tc.mutate(&tpl)
			err := tpl.Validate(nil, nil)
			if (tc.field == "") != (err == nil) || (tc.field != "" && !fault.Has(err, tc.field)) {
				t.Fatalf("want field %q, got %v", tc.field, err)
			}
		})
	}
}

func TestVisibility(t *testing.T) {
	priv := Template{Visibility: Private}
	if priv.VisibleTo(false) || !priv.VisibleTo(true) || !(Template{Visibility: Public}).VisibleTo(false) {
		t.Fatal("private templates must be hidden from users and shown to managers")
	}
}
