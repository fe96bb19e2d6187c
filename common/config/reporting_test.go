package config_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/config"
)

func TestDefaultReportingHoldsTheDocumentedDefaults(t *testing.T) {
	got := config.DefaultReporting()
	if len(got.CostReportGroups) != 0 || got.RequireCostReportGroup {
		t.Errorf("DefaultReporting() = %+v, want no groups and requireCostReportGroup false", got)
	}
	parsed, err := config.ParseReporting(config.DefaultReportingYAML())
	if err != nil {
		t.Fatalf("ParseReporting(embedded defaults): %v", err)
	}
	if !reflect.DeepEqual(parsed, got) {
		t.Errorf("parsing the embedded file gives %+v, want %+v", parsed, got)
	}
	raw := string(config.DefaultReportingYAML())
	for _, key := range []string{"costReportGroups:", "requireCostReportGroup:"} {
		if !strings.Contains(raw, "\n"+key) {
			t.Errorf("defaults/reporting-config.yaml does not set %s", key)
		}
	}
}

func TestParseReportingReadsGroups(t *testing.T) {
	got, err := config.ParseReporting([]byte(`
costReportGroups:
  - Platform Engineering
  - Data Science
  - "12345"
requireCostReportGroup: true
`))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Reporting{
		CostReportGroups:       []string{"Platform Engineering", "Data Science", "12345"},
		RequireCostReportGroup: true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseReportingRejectsEachBrokenRule(t *testing.T) {
	wantRejected(t, config.ParseReporting, []rejectCase{
		{"an empty group name names costReportGroups[1]", "costReportGroups: [a, '']", "costReportGroups[1]"},
		{"a 51-character group names costReportGroups[0]", "costReportGroups: [" + strings.Repeat("x", 51) + "]", "costReportGroups[0]"},
		{"a group with a trailing space names costReportGroups[0]", "costReportGroups: ['Team A ']", "costReportGroups[0]"},
		{"a repeated group names the repeat", "costReportGroups: [a, b, a]", "costReportGroups[2]"},
		{"101 groups names costReportGroups", "costReportGroups: [" + groups(101) + "]", "costReportGroups"},
		{"a required group with no groups names requireCostReportGroup", "requireCostReportGroup: true", "requireCostReportGroup"},
		{"a required group with an empty list names requireCostReportGroup", "costReportGroups: []\nrequireCostReportGroup: true", "requireCostReportGroup"},
		{"an unknown key is named", "costGroups: [a]", "costGroups"},
		{"a single string for the list names costReportGroups", "costReportGroups: Team A", "costReportGroups"},
		{"a mapping as a group names costReportGroups[0]", "costReportGroups: [{name: a}]", "costReportGroups[0]"},
		{"a word for the flag names requireCostReportGroup", "requireCostReportGroup: yes", "requireCostReportGroup"},
	})
}

func TestParseReportingAcceptsLimits(t *testing.T) {
	tests := []struct {
		name string
		yaml string
	}{
		{"100 groups", "costReportGroups: [" + groups(100) + "]"},
		{"a 50-character group", "costReportGroups: [" + strings.Repeat("x", 50) + "]"},
		{"a 50-character group of accented letters", "costReportGroups: [" + strings.Repeat("é", 50) + "]"},
		{"groups that differ only in case", "costReportGroups: [Team, team]"},
		{"a required group with groups listed", "costReportGroups: [a]\nrequireCostReportGroup: true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := config.ParseReporting([]byte(tc.yaml)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCheckCostReportGroup(t *testing.T) {
	none := config.Reporting{}
	optional := config.Reporting{CostReportGroups: []string{"Platform", "Data"}}
	required := optional
	required.RequireCostReportGroup = true

	tests := []struct {
		name      string
		reporting config.Reporting
		group     *string
		wantErr   bool
	}{
		{"missing group while required names costReportGroup", required, nil, true},
		{"empty group while required names costReportGroup", required, ptr(""), true},
		{"unlisted group names costReportGroup", required, ptr("Marketing"), true},
		{"group differing in case names costReportGroup", optional, ptr("platform"), true},
		{"any group names costReportGroup when none are configured", none, ptr("Platform"), true},
		{"listed group while required is accepted", required, ptr("Data"), false},
		{"listed group while optional is accepted", optional, ptr("Platform"), false},
		{"missing group while optional is accepted", optional, nil, false},
		{"missing group with no groups configured is accepted", none, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.reporting.CheckCostReportGroup(tc.group)
			if !tc.wantErr {
				if err != nil {
					t.Fatalf("CheckCostReportGroup: %v", err)
				}
				return
			}
			wantFieldError(t, err, "costReportGroup")
		})
	}
}

func groups(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("group-%d", i)
	}
	return strings.Join(names, ", ")
}
