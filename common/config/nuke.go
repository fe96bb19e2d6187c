package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/isb-go/isb/common/fault"
)

// Placeholders in the nuke configuration template
// (nuke-config/nuke-config.yaml). The cleaner replaces each with its value
// before it runs aws-nuke. The first three keep upstream's names.
const (
	// PlaceholderCleanupAccountID is the sandbox account being cleaned.
	PlaceholderCleanupAccountID = "%CLEANUP_ACCOUNT_ID%"
	// PlaceholderHubAccountID is the account running the platform.
	PlaceholderHubAccountID = "%HUB_ACCOUNT_ID%"
	// PlaceholderCleanupRoleName is the role the cleaner assumes in the
	// sandbox account; aws-nuke must not delete it mid-run.
	PlaceholderCleanupRoleName = "%CLEANUP_ROLE_NAME%"
	// PlaceholderLesseeRoleName is the role lessees' sessions use in the
	// sandbox account; it and its revocation policy outlive every cleanup.
	PlaceholderLesseeRoleName = "%LESSEE_ROLE_NAME%"
	// PlaceholderManagementAccountID is the organization management account.
	PlaceholderManagementAccountID = "%MANAGEMENT_ACCOUNT_ID%"
	// PlaceholderIDCAccountID is the IAM Identity Center account.
	PlaceholderIDCAccountID = "%IDC_ACCOUNT_ID%"
)

// NukePlaceholders lists every placeholder the nuke template may hold.
var NukePlaceholders = []string{
	PlaceholderCleanupAccountID,
	PlaceholderHubAccountID,
	PlaceholderCleanupRoleName,
	PlaceholderLesseeRoleName,
	PlaceholderManagementAccountID,
	PlaceholderIDCAccountID,
}

// Nuke is an aws-nuke v3 configuration. Keys are spelled as aws-nuke v3
// spells them. Keys aws-nuke v3 has removed (account-blocklist, targets,
// feature-flags, ...) are rejected with a hint.
type Nuke struct {
	// Regions to clean; "global" covers global services such as IAM.
	Regions []string `yaml:"regions"`
	// Blocklist holds accounts aws-nuke must never touch.
	Blocklist []string `yaml:"blocklist"`
	// BypassAliasCheckAccounts may be cleaned although they have no account
	// alias (aws-nuke otherwise refuses, as a safety check).
	BypassAliasCheckAccounts []string `yaml:"bypass-alias-check-accounts,omitempty"`
	// ResourceTypes limits which resource types are cleaned in every
	// account.
	ResourceTypes NukeResourceTypes `yaml:"resource-types,omitempty"`
	// Accounts maps each account aws-nuke may clean to what it must keep.
	Accounts map[string]NukeAccount `yaml:"accounts"`
	// Presets are named filter sets that accounts can share.
	Presets map[string]NukePreset `yaml:"presets,omitempty"`
	// Settings tune how a resource type is deleted, per type, for example
	// {S3Bucket: {BypassGovernanceRetention: true}}.
	Settings map[string]map[string]any `yaml:"settings,omitempty"`
}

// NukeResourceTypes selects resource types.
type NukeResourceTypes struct {
	// Includes, when not empty, is the only set of types cleaned.
	Includes []string `yaml:"includes,omitempty"`
	// Excludes are never cleaned.
	Excludes []string `yaml:"excludes,omitempty"`
	// Alternatives are cleaned through Cloud Control instead of their
	// native API.
	Alternatives []string `yaml:"alternatives,omitempty"`
}

// NukeAccount is the per-account part of a nuke configuration.
type NukeAccount struct {
	// Filters keep matching resources, per resource type ("__global__"
	// applies to every type).
	Filters       NukeFilters       `yaml:"filters,omitempty"`
	ResourceTypes NukeResourceTypes `yaml:"resource-types,omitempty"`
	// Presets names entries of Nuke.Presets whose filters apply too.
	Presets []string `yaml:"presets,omitempty"`
}

// NukePreset is a named, shareable set of filters.
type NukePreset struct {
	Filters NukeFilters `yaml:"filters"`
}

// NukeFilters maps a resource type to the filters that keep its resources.
type NukeFilters map[string][]NukeFilter

// NukeFilter keeps the resources it matches. In YAML it is either a plain
// string (an exact match on the resource's name) or a mapping.
type NukeFilter struct {
	// Type is one of the NukeFilterTypes; empty means exact.
	Type string `yaml:"type,omitempty"`
	// Property matches a named property of the resource instead of its
	// name.
	Property string `yaml:"property,omitempty"`
	// Value is the pattern, for every type except In and NotIn.
	Value string `yaml:"value,omitempty"`
	// Values are the candidates for the In and NotIn types.
	Values []string `yaml:"values,omitempty"`
	// Invert keeps the resources the filter does not match.
	Invert bool `yaml:"invert,omitempty"`
}

// NukeFilterTypes are the filter types aws-nuke v3 knows.
var NukeFilterTypes = []string{
	"exact", "glob", "regex", "contains", "prefix", "suffix",
	"dateOlderThan", "dateOlderThanNow", "In", "NotIn",
}

// GlobalFilterKey holds filters that apply to every resource type.
const GlobalFilterKey = "__global__"

func (NukeFilter) acceptsScalar() {}

// nukeFilterFields is NukeFilter without its YAML methods.
type nukeFilterFields NukeFilter

// UnmarshalYAML accepts a plain string as an exact filter.
func (f *NukeFilter) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*f = NukeFilter{Value: n.Value}
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a filter must be a string or a mapping", n.Line)
	}
	var plain nukeFilterFields
	if err := n.Decode(&plain); err != nil {
		return err
	}
	*f = NukeFilter(plain)
	return nil
}

// MarshalYAML writes an exact filter on the name as a plain string.
func (f NukeFilter) MarshalYAML() (any, error) {
	if f.Type == "" && f.Property == "" && f.Values == nil && !f.Invert {
		return f.Value, nil
	}
	return nukeFilterFields(f), nil
}

var (
	placeholderRE = regexp.MustCompile(`^%[A-Z][A-Z0-9_]*%$`)
	accountIDRE   = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	// resourceTypeRE matches aws-nuke names (S3Bucket) and Cloud Control
	// names (AWS::EC2::Instance).
	resourceTypeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(::[A-Za-z][A-Za-z0-9]*)*$`)
)

// IsPlaceholder reports whether s is a whole %NAME% placeholder.
func IsPlaceholder(s string) bool { return placeholderRE.MatchString(s) }

// ParseNuke decodes and validates an aws-nuke v3 configuration, template
// placeholders allowed. Unknown keys are errors. The error is a
// *fault.ValidationError naming every bad field.
func ParseNuke(data []byte) (Nuke, error) { return parse(data, Nuke{}) }

// Validate checks the rules that keep a nuke configuration safe to run: at
// least one region, a non-empty blocklist, at least one account, no account
// both cleaned and blocklisted, and well-formed filters. Account ids may be
// placeholders.
func (n Nuke) Validate() error {
	var f fault.Fields
	if len(n.Regions) == 0 {
		f.Add("regions", "must list at least one region (\"global\" for global services)")
	}
	for i, r := range n.Regions {
		if r != "global" && !regionRE.MatchString(r) && !IsPlaceholder(r) {
			f.Add(fmt.Sprintf("regions[%d]", i), "must be \"global\" or a region name such as eu-west-2, not %q", r)
		}
	}

	if len(n.Blocklist) == 0 {
		f.Add("blocklist", "must list at least one account: aws-nuke refuses to run without a blocklist")
	}
	checkAccountIDs(&f, "blocklist", n.Blocklist)
	checkAccountIDs(&f, "bypass-alias-check-accounts", n.BypassAliasCheckAccounts)

	checkResourceTypes(&f, "resource-types", n.ResourceTypes)

	if len(n.Accounts) == 0 {
		f.Add("accounts", "must list at least one account: aws-nuke cleans only the accounts listed here")
	}
	for _, id := range sortedKeys(n.Accounts) {
		a := n.Accounts[id]
		path := "accounts." + id
		if !accountIDRE.MatchString(id) && !IsPlaceholder(id) {
			f.Add(path, "must be a 12-digit account id or a %%PLACEHOLDER%%")
		}
		if slices.Contains(n.Blocklist, id) {
			f.Add(path, "is also in blocklist: an account cannot be both cleaned and protected")
		}
		checkFilters(&f, path+".filters", a.Filters)
		checkResourceTypes(&f, path+".resource-types", a.ResourceTypes)
		for i, p := range a.Presets {
			if _, ok := n.Presets[p]; !ok {
				f.Add(fmt.Sprintf("%s.presets[%d]", path, i), "names preset %q, which presets does not define", p)
			}
		}
	}
	for _, name := range sortedKeys(n.Presets) {
		checkFilters(&f, "presets."+name+".filters", n.Presets[name].Filters)
	}
	for _, rt := range sortedKeys(n.Settings) {
		if !resourceTypeRE.MatchString(rt) {
			f.Add("settings."+rt, "must be a resource type name such as S3Bucket")
		}
	}
	return f.Err()
}

func checkAccountIDs(f *fault.Fields, field string, ids []string) {
	for i, id := range ids {
		if !accountIDRE.MatchString(id) && !IsPlaceholder(id) {
			f.Add(fmt.Sprintf("%s[%d]", field, i), "must be a 12-digit account id or a %%PLACEHOLDER%%, not %q", id)
		}
	}
}

func checkResourceTypes(f *fault.Fields, path string, rt NukeResourceTypes) {
	for _, l := range []struct {
		key   string
		names []string
	}{{"includes", rt.Includes}, {"excludes", rt.Excludes}, {"alternatives", rt.Alternatives}} {
		for i, name := range l.names {
			if !resourceTypeRE.MatchString(name) {
				f.Add(fmt.Sprintf("%s.%s[%d]", path, l.key, i), "must be a resource type name such as S3Bucket, not %q", name)
			}
		}
	}
	for i, name := range rt.Excludes {
		if slices.Contains(rt.Includes, name) {
			f.Add(fmt.Sprintf("%s.excludes[%d]", path, i), "%s is also in includes", name)
		}
	}
}

func checkFilters(f *fault.Fields, path string, filters NukeFilters) {
	for _, rt := range sortedKeys(filters) {
		typePath := path + "." + rt
		if rt != GlobalFilterKey && !resourceTypeRE.MatchString(rt) {
			f.Add(typePath, "must be a resource type name such as IAMRole, or %s", GlobalFilterKey)
		}
		for i, flt := range filters[rt] {
			checkFilter(f, fmt.Sprintf("%s[%d]", typePath, i), flt)
		}
	}
}

func checkFilter(f *fault.Fields, path string, flt NukeFilter) {
	typ := flt.Type
	if typ == "" {
		typ = "exact"
	}
	if !slices.Contains(NukeFilterTypes, typ) {
		f.Add(path+".type", "must be one of %v, not %q", NukeFilterTypes, flt.Type)
		return
	}
	if typ == "In" || typ == "NotIn" {
		if len(flt.Values) == 0 {
			f.Add(path+".values", "must list at least one value for a %s filter", typ)
		}
		if flt.Value != "" {
			f.Add(path+".value", "is not used by a %s filter; use values", typ)
		}
		return
	}
	if flt.Value == "" {
		f.Add(path+".value", "must not be empty")
	}
	if len(flt.Values) > 0 {
		f.Add(path+".values", "is used only by In and NotIn filters; use value")
	}
	if typ == "regex" {
		if _, err := regexp.Compile(flt.Value); err != nil {
			f.Add(path+".value", "is not a valid regular expression: %v", err)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
