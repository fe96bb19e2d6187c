package config

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/isb-go/isb/common/fault"
)

//go:embed defaults/reporting-config.yaml
var defaultReportingYAML []byte

// Reporting is the reporting configuration: the AppConfig profile
// "reporting-config". The shipped values, with an explanation of each
// setting, are in defaults/reporting-config.yaml.
type Reporting struct {
	// CostReportGroups are the groups (cost centres, teams, projects) a
	// lease's spend can be reported under.
	CostReportGroups []string `yaml:"costReportGroups" json:"costReportGroups"`
	// RequireCostReportGroup makes choosing a group mandatory on every lease
	// and lease template.
	RequireCostReportGroup bool `yaml:"requireCostReportGroup" json:"requireCostReportGroup"`
}

// Limits of the reporting configuration.
const (
	MaxCostReportGroups      = 100
	MaxCostReportGroupLength = 50
)

var defaultReporting = sync.OnceValue(func() Reporting { return mustParseEmbedded[Reporting]("reporting-config.yaml", defaultReportingYAML) })

// DefaultReporting returns the shipped reporting configuration
// (defaults/reporting-config.yaml).
func DefaultReporting() Reporting {
	r := defaultReporting()
	r.CostReportGroups = slices.Clone(r.CostReportGroups)
	return r
}

// DefaultReportingYAML returns the shipped reporting configuration file,
// comments included: the hosted configuration the infrastructure deploys.
func DefaultReportingYAML() []byte { return append([]byte(nil), defaultReportingYAML...) }

// ParseReporting decodes and validates a reporting configuration. Keys left
// out take their shipped defaults; unknown keys are errors. The error is a
// *fault.ValidationError naming every bad field.
func ParseReporting(data []byte) (Reporting, error) { return parse(data, DefaultReporting()) }

// Validate checks every rule of the reporting configuration.
func (r Reporting) Validate() error {
	var f fault.Fields
	if n := len(r.CostReportGroups); n > MaxCostReportGroups {
		f.Add("costReportGroups", "must list at most %d groups, not %d", MaxCostReportGroups, n)
	}
	first := make(map[string]int, len(r.CostReportGroups))
	for i, g := range r.CostReportGroups {
		field := fmt.Sprintf("costReportGroups[%d]", i)
		if err := checkCostReportGroupName(g); err != "" {
			f.Add(field, "%s", err)
			continue
		}
		if j, dup := first[g]; dup {
			f.Add(field, "repeats costReportGroups[%d] (%q)", j, g)
			continue
		}
		first[g] = i
	}
	if r.RequireCostReportGroup && len(r.CostReportGroups) == 0 {
		f.Add("requireCostReportGroup", "cannot be true while costReportGroups is empty: no lease could choose a group")
	}
	return f.Err()
}

// CheckCostReportGroup checks a lease's or template's cost report group:
// required while requireCostReportGroup is on, and one of costReportGroups
// when given. nil and "" both mean "no group". The error names the field
// "costReportGroup".
func (r Reporting) CheckCostReportGroup(group *string) error {
	var f fault.Fields
	switch {
	case group == nil || *group == "":
		if r.RequireCostReportGroup {
			f.Add("costReportGroup", "is required: the reporting configuration requires a cost report group on every lease")
		}
	case !slices.Contains(r.CostReportGroups, *group):
		if len(r.CostReportGroups) == 0 {
			f.Add("costReportGroup", "must be empty: no cost report groups are configured")
		} else if len(r.CostReportGroups) <= 10 {
			f.Add("costReportGroup", "must be one of the configured cost report groups: %s", strings.Join(r.CostReportGroups, ", "))
		} else {
			f.Add("costReportGroup", "must be one of the %d configured cost report groups", len(r.CostReportGroups))
		}
	}
	return f.Err()
}

// checkCostReportGroupName returns what is wrong with a group name, or "".
func checkCostReportGroupName(g string) string {
	switch n := utf8.RuneCountInString(g); {
	case n == 0:
		return "must not be empty"
	case n > MaxCostReportGroupLength:
		return fmt.Sprintf("must be at most %d characters, not %d", MaxCostReportGroupLength, n)
	case strings.TrimSpace(g) != g:
		return "must not start or end with spaces"
	}
	return ""
}
