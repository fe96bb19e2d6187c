package config_test

import (
	"maps"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
)

const templatePath = "../../nuke-config/nuke-config.yaml"

func readTemplate(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatalf("read the nuke template: %v", err)
	}
	return b
}

func TestNukeTemplateParses(t *testing.T) {
	if _, err := config.ParseNuke(readTemplate(t)); err != nil {
		t.Fatalf("ParseNuke(%s): %v", templatePath, err)
	}
}

func TestNukeTemplateHoldsEveryPlaceholder(t *testing.T) {
	raw := string(readTemplate(t))
	for _, p := range config.NukePlaceholders {
		if !strings.Contains(raw, p) {
			t.Errorf("the template does not use %s", p)
		}
	}
}

func TestNukeTemplateProtectsThePlatformAccounts(t *testing.T) {
	n, err := config.ParseNuke(readTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{config.PlaceholderHubAccountID, config.PlaceholderManagementAccountID,
		config.PlaceholderIDCAccountID} {
		if !slices.Contains(n.Blocklist, p) {
			t.Errorf("blocklist %v does not hold %s", n.Blocklist, p)
		}
	}
	if !slices.Equal(n.BypassAliasCheckAccounts, []string{config.PlaceholderCleanupAccountID}) {
		t.Errorf(
			"bypass-alias-check-accounts = %v, want only %s",
			n.BypassAliasCheckAccounts,
			config.PlaceholderCleanupAccountID,
		)
	}
	if got := sortedKeys(n.Accounts); !slices.Equal(got, []string{config.PlaceholderCleanupAccountID}) {
		t.Errorf("accounts = %v, want only %s", got, config.PlaceholderCleanupAccountID)
	}
	if !slices.Contains(n.Regions, "global") {
		t.Errorf("regions %v do not include global", n.Regions)
	}
}

func TestNukeTemplateHasUpstreamSettingsAndExcludes(t *testing.T) {
	n, err := config.ParseNuke(readTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	wantSettings := map[string][]string{
		"CloudFormationStack":    {"CreateRoleToDeleteStack", "DisableDeletionProtection"},
		"CognitoUserPool":        {"DisableDeletionProtection"},
		"DSQLCluster":            {"DisableDeletionProtection"},
		"DynamoDBTable":          {"DisableDeletionProtection"},
		"EC2Image":               {"DisableDeregistrationProtection", "IncludeDeprecated", "IncludeDisabled"},
		"EC2Instance":            {"DisableDeletionProtection", "DisableStopProtection"},
		"ELBv2":                  {"DisableDeletionProtection"},
		"LightsailInstance":      {"ForceDeleteAddOns"},
		"NeptuneCluster":         {"DisableDeletionProtection"},
		"NeptuneGraph":           {"DisableDeletionProtection"},
		"NeptuneInstance":        {"DisableClusterDeletionProtection", "DisableDeletionProtection"},
		"QLDBLedger":             {"DisableDeletionProtection"},
		"QuickSightSubscription": {"DisableTerminationProtection"},
		"RDSInstance":            {"DisableDeletionProtection"},
		"S3Bucket":               {"BypassGovernanceRetention", "RemoveObjectLegalHold"},
	}
	got := map[string][]string{}
	for rt, s := range n.Settings {
		for k, v := range s {
			if v != true {
				t.Errorf("settings.%s.%s = %v, want true", rt, k, v)
			}
		}
		got[rt] = sortedKeys(s)
	}
	if !reflect.DeepEqual(got, wantSettings) {
		t.Errorf("settings =\n%v\nwant\n%v", got, wantSettings)
	}

	wantExcludes := []string{"ConfigServiceConfigurationRecorder", "ConfigServiceDeliveryChannel", "S3Object"}
	excludes := slices.Sorted(slices.Values(n.ResourceTypes.Excludes))
	if !slices.Equal(excludes, wantExcludes) {
		t.Errorf("resource-types.excludes = %v, want %v", excludes, wantExcludes)
	}
}

func TestNukeTemplateKeepsTheControlPlane(t *testing.T) {
	n, err := config.ParseNuke(readTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	filters := n.Accounts[config.PlaceholderCleanupAccountID].Filters

	wantTypes := []string{
		"CloudFormationStack", "CloudTrailTrail", "CloudWatchEventsRule", "CloudWatchLogsLogGroup",
		"IAMRole", "IAMRolePolicy", "IAMRolePolicyAttachment", "IAMSAMLProvider",
		"LambdaFunction", "OSPackage", "SNSSubscription", "SNSTopic",
	}
	if got := sortedKeys(filters); !slices.Equal(got, wantTypes) {
		t.Errorf("filtered resource types = %v, want %v", got, wantTypes)
	}

	// Roles are kept by exact names (or StackSets' name shape) and by
	// Identity Center's reserved path: never by a name pattern a lessee
	// could copy.
	roles := func(name, path string) []config.NukeFilter {
		return []config.NukeFilter{
			{Property: name, Value: config.PlaceholderCleanupRoleName},
			{Property: name, Value: config.PlaceholderLesseeRoleName},
			{Property: name, Type: "In", Values: []string{
				"OrganizationAccountAccessRole", "AWSControlTowerExecution",
				"aws-controltower-AdministratorExecutionRole",
				"aws-controltower-ConfigRecorderRole", "aws-controltower-ForwardSnsNotificationRole",
				"aws-controltower-ReadOnlyExecutionRole",
			}},
			{Property: name, Type: "regex", Value: "^stacksets-exec-[0-9a-f]{32}$"},
			{Property: path, Type: "prefix", Value: "/aws-reserved/sso.amazonaws.com/"},
		}
	}
	tests := []struct {
		name         string
		resourceType string
		want         []config.NukeFilter
	}{
		{
			"the platform's StackSet stack is kept",
			"CloudFormationStack",
			[]config.NukeFilter{{Type: "glob", Value: "StackSet-isb-*-SandboxAccount-*"}},
		},
		{"Control Tower trails and the organization trail are kept", "CloudTrailTrail", []config.NukeFilter{
			{Type: "glob", Value: "aws-controltower-*"}, {Value: "all-org-cloud-trail"},
		}},
		{"Control Tower event rules are kept", "CloudWatchEventsRule", []config.NukeFilter{
			{Property: "Name", Type: "glob", Value: "aws-controltower-*"},
			{Property: "Name", Type: "contains", Value: "AWSControlTower"},
		}},
		{"the cleanup role and control-plane roles are kept", "IAMRole", roles("Name", "Path")},
		{"their inline policies are kept", "IAMRolePolicy", roles("role:RoleName", "role:Path")},
		{"their policy attachments are kept", "IAMRolePolicyAttachment", roles("RoleName", "RolePath")},
		{
			"the Identity Center SAML provider is kept",
			"IAMSAMLProvider",
			[]config.NukeFilter{{Type: "contains", Value: "AWSSSO"}},
		},
		{
			"Control Tower functions are kept",
			"LambdaFunction",
			[]config.NukeFilter{{Type: "glob", Value: "aws-controltower-*"}},
		},
		{
			"Control Tower log groups are kept",
			"CloudWatchLogsLogGroup",
			[]config.NukeFilter{{Type: "contains", Value: "aws-controltower"}},
		},
		{
			"AWS-owned OpenSearch packages are kept",
			"OSPackage",
			[]config.NukeFilter{{Type: "glob", Value: "pkg-*"}, {Type: "glob", Value: "G*"}},
		},
		{
			"Control Tower subscriptions are kept",
			"SNSSubscription",
			[]config.NukeFilter{{Property: "ARN", Type: "contains", Value: "aws-controltower"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := filters[tc.resourceType]
			for _, want := range tc.want {
				if !slices.ContainsFunc(got, func(f config.NukeFilter) bool { return reflect.DeepEqual(f, want) }) {
					t.Errorf("%s filters %+v lack %+v", tc.resourceType, got, want)
				}
			}
		})
	}
	for _, rt := range []string{"IAMRole", "IAMRolePolicy", "IAMRolePolicyAttachment"} {
		t.Run(rt+" keeps nothing beyond the control plane's roles", func(t *testing.T) {
			if got, want := filters[rt], roles("", ""); len(got) != len(want) {
				t.Errorf("%s has %d filters, want exactly the %d above: %+v", rt, len(got), len(want), got)
			}
		})
	}
	t.Run("Control Tower topics are kept by name or ARN", func(t *testing.T) {
		got := filters["SNSTopic"]
		want := config.NukeFilter{Type: "glob", Value: "aws-controltower-*"}
		if !slices.ContainsFunc(got, func(f config.NukeFilter) bool { return reflect.DeepEqual(f, want) }) {
			t.Errorf("SNSTopic filters %+v lack the name glob", got)
		}
	})
}

func TestNukeTemplateKeepsTheStackTheStackSetDeploys(t *testing.T) {
	n, err := config.ParseNuke(readTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	stacks := n.Accounts[config.PlaceholderCleanupAccountID].Filters["CloudFormationStack"]
	for _, ns := range []string{"isb", "dev", "prod1"} {
		// CloudFormation names a StackSet's stack instance StackSet-<set name>-<id>.
		instance := "StackSet-" + names.Physical(
			ns,
			names.SandboxAccountStackSet,
		) + "-0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
		t.Run("the stack instance in namespace "+ns+" matches a filter", func(t *testing.T) {
			kept := slices.ContainsFunc(stacks, func(f config.NukeFilter) bool {
				ok, err := path.Match(f.Value, instance)
				return f.Type == "glob" && err == nil && ok
			})
			if !kept {
				t.Fatalf("no CloudFormationStack filter in %+v keeps %s", stacks, instance)
			}
		})
	}
}

func TestRenderedNukeTemplateStillParses(t *testing.T) {
	render := func(cleanup, hub string) []byte {
		return []byte(strings.NewReplacer(
			config.PlaceholderCleanupAccountID, cleanup,
			config.PlaceholderHubAccountID, hub,
			config.PlaceholderManagementAccountID, "333333333333",
			config.PlaceholderIDCAccountID, "444444444444",
			config.PlaceholderCleanupRoleName, "isb-dev-SandboxAccountRole",
			config.PlaceholderLesseeRoleName, "Lessee-isb-dev-LesseeRole",
		).Replace(string(readTemplate(t))))
	}

	t.Run("real account ids parse", func(t *testing.T) {
		n, err := config.ParseNuke(render("111111111111", "222222222222"))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := n.Accounts["111111111111"]; !ok {
			t.Errorf("accounts = %v, want 111111111111", sortedKeys(n.Accounts))
		}
	})
	t.Run("cleaning the hub account names accounts.<hub>", func(t *testing.T) {
		_, err := config.ParseNuke(render("222222222222", "222222222222"))
		wantMessage(t, err, "accounts.222222222222", "blocklist")
	})
}

// minimalNuke is the smallest valid configuration; the rule tests change
// one thing in it.
const minimalNuke = `
regions: [global, eu-west-2]
blocklist: ["%HUB_ACCOUNT_ID%"]
accounts:
  "%CLEANUP_ACCOUNT_ID%":
    filters:
      IAMRole: ["%CLEANUP_ROLE_NAME%"]
`

func TestParseNukeRejectsEachBrokenRule(t *testing.T) {
	acct := "accounts.%CLEANUP_ACCOUNT_ID%"
	withFilter := func(filter string) string {
		return "regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts:\n  '%CLEANUP_ACCOUNT_ID%':\n    filters:\n      IAMRole:\n        - " + filter + "\n"
	}
	wantRejected(t, config.ParseNuke, []rejectCase{
		{"no regions names regions", "blocklist: ['%HUB_ACCOUNT_ID%']\naccounts: {'111111111111': {}}", "regions"},
		{
			"an empty region list names regions",
			"regions: []\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts: {'111111111111': {}}",
			"regions",
		},
		{
			"a misspelt region names regions[1]",
			"regions: [global, eu-west2]\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts: {'111111111111': {}}",
			"regions[1]",
		},
		{"no blocklist names blocklist", "regions: [global]\naccounts: {'111111111111': {}}", "blocklist"},
		{
			"an empty blocklist names blocklist",
			"regions: [global]\nblocklist: []\naccounts: {'111111111111': {}}",
			"blocklist",
		},
		{
			"an 11-digit blocklist entry names blocklist[0]",
			"regions: [global]\nblocklist: ['12345678901']\naccounts: {'111111111111': {}}",
			"blocklist[0]",
		},
		{
			"a lower-case placeholder names blocklist[0]",
			"regions: [global]\nblocklist: ['%hub%']\naccounts: {'111111111111': {}}",
			"blocklist[0]",
		},
		{
			"a bad alias-check account names bypass-alias-check-accounts[0]",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\nbypass-alias-check-accounts: [sandbox]\naccounts: {'111111111111': {}}",
			"bypass-alias-check-accounts[0]",
		},
		{"no accounts names accounts", "regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']", "accounts"},
		{
			"a bad account key names it",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts: {sandbox: {}}",
			"accounts.sandbox",
		},
		{
			"a blocklisted account to clean names it",
			"regions: [global]\nblocklist: ['111111111111']\naccounts: {'111111111111': {}}",
			"accounts.111111111111",
		},
		{
			"an unknown filter type names its type",
			withFilter("{type: wildcard, value: x*}"),
			acct + ".filters.IAMRole[0].type",
		},
		{
			"an empty filter value names its value",
			withFilter("{type: glob, value: ''}"),
			acct + ".filters.IAMRole[0].value",
		},
		{"an empty string filter names its value", withFilter("''"), acct + ".filters.IAMRole[0].value"},
		{
			"an In filter without values names its values",
			withFilter("{type: In, property: Name}"),
			acct + ".filters.IAMRole[0].values",
		},
		{
			"an In filter with a value names its value",
			withFilter("{type: In, value: a, values: [a]}"),
			acct + ".filters.IAMRole[0].value",
		},
		{
			"values on a glob filter names its values",
			withFilter("{type: glob, value: a*, values: [b]}"),
			acct + ".filters.IAMRole[0].values",
		},
		{
			"a broken regex names its value",
			withFilter("{type: regex, value: 'role-('}"),
			acct + ".filters.IAMRole[0].value",
		},
		{"a misspelt filter key names it", withFilter("{type: glob, valeu: x*}"), acct + ".filters.IAMRole[0].valeu"},
		{"a list as a filter names the filter", withFilter("[x]"), acct + ".filters.IAMRole[0]"},
		{
			"filters given as a mapping name the resource type",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts:\n  '111111111111':\n    filters:\n      IAMRole: {value: x}\n",
			"accounts.111111111111.filters.IAMRole",
		},
		{
			"a bad resource type in filters names it",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts:\n  '111111111111':\n    filters:\n      IAM-Role: [x]\n",
			"accounts.111111111111.filters.IAM-Role",
		},
		{
			"an unknown preset names accounts.<id>.presets[0]",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts:\n  '111111111111':\n    presets: [common]\n",
			"accounts.111111111111.presets[0]",
		},
		{
			"a bad filter in a preset names it",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\npresets:\n  common:\n    filters:\n      IAMRole: [{type: nope, value: x}]\naccounts:\n  '111111111111':\n    presets: [common]\n",
			"presets.common.filters.IAMRole[0].type",
		},
		{
			"a bad excluded type names resource-types.excludes[0]",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\nresource-types: {excludes: ['S3 Object']}\naccounts: {'111111111111': {}}",
			"resource-types.excludes[0]",
		},
		{
			"a type both included and excluded names the exclude",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\nresource-types: {includes: [S3Bucket, S3Object], excludes: [S3Object]}\naccounts: {'111111111111': {}}",
			"resource-types.excludes[0]",
		},
		{
			"an account type both included and excluded names the exclude",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts:\n  '111111111111':\n    resource-types: {includes: [IAMRole], excludes: [IAMRole]}\n",
			"accounts.111111111111.resource-types.excludes[0]",
		},
		{
			"a bad settings type names it",
			"regions: [global]\nblocklist: ['%HUB_ACCOUNT_ID%']\nsettings: {'S3 Bucket': {BypassGovernanceRetention: true}}\naccounts: {'111111111111': {}}",
			"settings.S3 Bucket",
		},
		{"a removed v2 key names it", minimalNuke + "account-blocklist: ['111111111111']\n", "account-blocklist"},
		{
			"feature flags name feature-flags",
			minimalNuke + "feature-flags: {disable-deletion-protection: {RDSInstance: true}}\n",
			"feature-flags",
		},
		{
			"the removed targets key names resource-types.targets",
			minimalNuke + "resource-types: {targets: [S3Bucket]}\n",
			"resource-types.targets",
		},
		{"an unknown account key names it", minimalNuke + "    filter: {}\n", acct + ".filter"},
		{
			"a string for the region list names regions",
			"regions: global\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts: {'111111111111': {}}",
			"regions",
		},
	})
}

func TestRemovedNukeKeysPointToTheirReplacement(t *testing.T) {
	_, err := config.ParseNuke([]byte(minimalNuke + "account-blocklist: ['111111111111']\n"))
	wantMessage(t, err, "account-blocklist", "replaced it with blocklist")
}

func TestParseNukeAcceptsValidShapes(t *testing.T) {
	tests := []struct {
		name string
		yaml string
	}{
		{"the minimal configuration", minimalNuke},
		{"unquoted account ids", "regions: [global]\nblocklist: [000000000001]\naccounts:\n  123456789012: {}\n"},
		{
			"GovCloud and China regions",
			"regions: [us-gov-west-1, cn-north-1, global]\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts: {'111111111111': {}}",
		},
		{
			"a regions placeholder",
			"regions: ['%REGIONS%']\nblocklist: ['%HUB_ACCOUNT_ID%']\naccounts: {'111111111111': {}}",
		},
		{"every filter type", `
regions: [global]
blocklist: ["%HUB_ACCOUNT_ID%"]
presets:
  common:
    filters:
      __global__:
        - property: "tag:keep"
          value: "true"
accounts:
  "111111111111":
    presets: [common]
    resource-types:
      includes: [IAMRole, S3Bucket, EC2Instance]
      alternatives: [AWS::EC2::Instance]
    filters:
      IAMRole:
        - exact-name
        - {type: exact, value: a}
        - {type: glob, value: "a*"}
        - {type: regex, value: "^a.*$"}
        - {type: contains, value: a}
        - {type: prefix, value: a}
        - {type: suffix, value: a}
        - {type: dateOlderThan, property: CreateDate, value: 24h}
        - {type: dateOlderThanNow, property: CreateDate, value: -24h}
        - {type: In, property: Name, values: [a, b]}
        - {type: NotIn, property: Name, values: [a], invert: true}
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := config.ParseNuke([]byte(tc.yaml)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNukeFilterShorthand(t *testing.T) {
	n, err := config.ParseNuke([]byte(minimalNuke))
	if err != nil {
		t.Fatal(err)
	}
	got := n.Accounts[config.PlaceholderCleanupAccountID].Filters["IAMRole"]
	want := []config.NukeFilter{{Value: config.PlaceholderCleanupRoleName}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("a plain string filter decodes to %+v, want %+v", got, want)
	}

	b, err := yaml.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.TrimSpace(string(b)); s != `- '%CLEANUP_ROLE_NAME%'` {
		t.Errorf("an exact name filter marshals as %q, want a plain string", s)
	}
}

func TestNukeTemplateSurvivesMarshalAndParse(t *testing.T) {
	n, err := config.ParseNuke(readTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	wantRoundTrip(t, config.ParseNuke, n)
}

func TestIsPlaceholder(t *testing.T) {
	for s, want := range map[string]bool{
		"%HUB_ACCOUNT_ID%": true, "%REGIONS%": true, "%A1%": true,
		"%hub%": false, "HUB": false, "%%": false, "x%HUB%": false, "%HUB": false,
	} {
		if got := config.IsPlaceholder(s); got != want {
			t.Errorf("IsPlaceholder(%q) = %v, want %v", s, got, want)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
