package scp

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
)

const sandbox = "111122223333"

// lesseePrincipals act in a leased account: none may be exempt from the
// control-plane protection.
var lesseePrincipals = []string{
	"arn:aws:iam::" + sandbox + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_dev_IsbUsersPS_0123456789abcdef",
	"arn:aws:iam::" + sandbox + ":role/aws-reserved/sso.amazonaws.com/eu-west-2/AWSReservedSSO_dev_IsbUsersPS_0123456789abcdef",
	"arn:aws:iam::" + sandbox + ":role/lessee-app-role",
}

// regexSamples are role names a regex keep filter of the nuke config
// matches; a new regex filter needs its sample here.
var regexSamples = map[string]string{
	"^stacksets-exec-[0-9a-f]{32}$": "stacksets-exec-899a82a2cb437e970934262f85c7628a",
}

// arnLike reports whether an IAM ArnLike pattern matches arn.
func arnLike(pattern, arn string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(arn)
}

func strs(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

// protected reports whether a Deny of every action on arn in the
// protect-control-plane policy applies to principal.
func protected(t *testing.T, doc map[string]any, arn, principal string) bool {
	t.Helper()
	for _, s := range doc["Statement"].([]any) {
		st := s.(map[string]any)
		if st["Effect"] != "Deny" || !slices.Contains(strs(st["Action"]), "*") {
			continue
		}
		if !slices.ContainsFunc(strs(st["Resource"]), func(p string) bool { return arnLike(p, arn) }) {
			continue
		}
		exempt := false
		if c, ok := st["Condition"].(map[string]any); ok {
			for op, kv := range c {
				for k, v := range kv.(map[string]any) {
					if op != "ArnNotLike" || !strings.EqualFold(k, "aws:PrincipalARN") {
						t.Fatalf("unexpected condition %s %s in %v", op, k, st["Sid"])
					}
					exempt = exempt ||
						slices.ContainsFunc(strs(v), func(p string) bool { return arnLike(p, principal) })
				}
			}
		}
		if !exempt {
			return true
		}
	}
	return false
}

// keptRoles lists, for each IAMRole filter of the nuke config, the roles
// it keeps as name and path patterns ("" path: any path).
func keptRoles(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "nuke-config", "nuke-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := config.ParseNuke(raw)
	if err != nil {
		t.Fatal(err)
	}
	filters := n.Accounts[config.PlaceholderCleanupAccountID].Filters["IAMRole"]
	if len(filters) == 0 {
		t.Fatal("the nuke config keeps no IAM role")
	}
	out := map[string][]string{}
	for _, f := range filters {
		typ := f.Type
		if typ == "" {
			typ = "exact"
		}
		key := f.Property + " " + typ + " " + f.Value + strings.Join(f.Values, ",")
		switch {
		case (f.Property == "" || f.Property == "Name") && typ == "exact":
			v := f.Value
			switch v {
			case config.PlaceholderCleanupRoleName:
				v = names.Physical(vars.Namespace, names.SandboxAccountRole)
			case config.PlaceholderLesseeRoleName:
				v = names.RoleName(vars.Namespace, names.LesseeRole)
			}
			out[key] = []string{v}
		case f.Property == "Name" && typ == "In":
			out[key] = f.Values
		case f.Property == "Name" && typ == "regex":
			sample, ok := regexSamples[f.Value]
			if !ok {
				t.Fatalf("no sample role name for the keep filter %s: add one to regexSamples", key)
			}
			out[key] = []string{sample}
		case f.Property == "Path" && typ == "prefix":
			out[key] = []string{strings.TrimPrefix(f.Value, "/") + "AWSReservedSSO_Any_0123456789abcdef"}
		default:
			t.Fatalf(
				"the keep filter %s is neither an exact name, a name regex nor a path prefix: this test cannot check it",
				key,
			)
		}
	}
	return out
}

func TestEveryRoleTheCleanupKeepsIsProtectedAtEveryPath(t *testing.T) {
	doc, err := Render(ProtectControlPlane, vars)
	if err != nil {
		t.Fatal(err)
	}
	for filter, roles := range keptRoles(t) {
		for _, role := range roles {
			paths := []string{"", "x/", "a/b/", "aws-reserved/sso.amazonaws.com/"}
			if strings.Contains(role, "/") { // already under its reserved path
				paths = []string{"", "aws-reserved/other/"}
				role = role[strings.LastIndex(role, "/")+1:]
				paths[0] = "aws-reserved/sso.amazonaws.com/"
			}
			for _, p := range paths {
				arn := "arn:aws:iam::" + sandbox + ":role/" + p + role
				t.Run("a lessee cannot create or change "+arn, func(t *testing.T) {
					for _, principal := range lesseePrincipals {
						if !protected(t, doc, arn, principal) {
							t.Errorf(
								"no Deny of * on %s (kept by the nuke filter %s) applies to %s",
								arn,
								filter,
								principal,
							)
						}
					}
				})
			}
		}
	}
}

func TestEveryPrincipalTheSCPsExemptIsProtected(t *testing.T) {
	protect, err := Render(ProtectControlPlane, vars)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range All {
		doc, err := Render(name, vars)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range doc["Statement"].([]any) {
			c, _ := s.(map[string]any)["Condition"].(map[string]any)
			for _, kv := range c {
				for _, p := range strs(kv.(map[string]any)["aws:PrincipalARN"]) {
					arn := strings.ReplaceAll(strings.Replace(p, "*", sandbox, 1), "*", "x")
					t.Run(name+" exempts "+p+", which a lessee cannot create", func(t *testing.T) {
						for _, principal := range lesseePrincipals {
							if !protected(t, protect, arn, principal) {
								t.Errorf("%s (a role the SCPs exempt) is not protected from %s", arn, principal)
							}
						}
					})
				}
			}
		}
	}
}

// denied reports whether a Deny statement of doc applies to principal
// calling action in region. It knows the operators the policies use.
func denied(t *testing.T, doc map[string]any, action, principal, region string) bool {
	t.Helper()
	matchAny := func(patterns []string, s string) bool {
		return slices.ContainsFunc(
			patterns,
			func(p string) bool { return arnLike(strings.ToLower(p), strings.ToLower(s)) },
		)
	}
	for _, s := range doc["Statement"].([]any) {
		st := s.(map[string]any)
		if st["Effect"] != "Deny" {
			continue
		}
		if a, ok := st["Action"]; ok && !matchAny(strs(a), action) {
			continue
		}
		if na, ok := st["NotAction"]; ok && matchAny(strs(na), action) {
			continue
		}
		applies := true
		c, _ := st["Condition"].(map[string]any)
		for op, kv := range c {
			for k, v := range kv.(map[string]any) {
				switch {
				case op == "ArnNotLike" && k == "aws:PrincipalARN":
					applies = applies &&
						!slices.ContainsFunc(strs(v), func(p string) bool { return arnLike(p, principal) })
				case op == "StringNotEquals" && k == "aws:RequestedRegion":
					applies = applies && !slices.Contains(strs(v), region)
				default:
					t.Fatalf("unknown condition %s %s in %v", op, k, st["Sid"])
				}
			}
		}
		if applies {
			return true
		}
	}
	return false
}

func TestRestrictionsDenyLesseesTheGuardrails(t *testing.T) {
	doc, err := Render(Restrictions, vars)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ why, action string }{
		{"the event history shows earlier lessees' names, addresses and resources", "cloudtrail:LookupEvents"},
		{"sharing a document with another account outlives the lease", "ssm:ModifyDocumentPermission"},
		{"provisioned capacity is a long-term purchase", "glacier:PurchaseProvisionedCapacity"},
		{"a locked snapshot cannot be deleted", "ec2:LockSnapshot"},
		{"a logically air-gapped vault keeps its recovery points locked", "backup:CreateLogicallyAirGappedBackupVault"},
		{"the account's public access block is no resource aws-nuke resets", "s3:PutAccountPublicAccessBlock"},
	} {
		t.Run(tc.action+" is denied because "+tc.why, func(t *testing.T) {
			for _, principal := range lesseePrincipals {
				if !denied(t, doc, tc.action, principal, "us-east-1") {
					t.Errorf("%s is allowed to %s", principal, tc.action)
				}
			}
		})
	}
}

func TestRestrictionsBoundTheCleanupRole(t *testing.T) {
	doc, err := Render(Restrictions, vars)
	if err != nil {
		t.Fatal(err)
	}
	cleanup := "arn:aws:iam::" + sandbox + ":role/" + names.Physical(vars.Namespace, names.SandboxAccountRole)
	for _, action := range []string{
		"organizations:LeaveOrganization", "account:CloseAccount",
		"ec2:PurchaseReservedInstancesOffering", "savingsplans:CreateSavingsPlan", "route53domains:RegisterDomain",
		"aws-marketplace:Subscribe", "iam:CreateUser", "iam:CreateAccessKey",
	} {
		t.Run("the cleanup role is denied "+action, func(t *testing.T) {
			if !denied(t, doc, action, cleanup, "us-east-1") {
				t.Errorf("%s may %s", cleanup, action)
			}
		})
	}
}

func TestRegionLimitCoversRegionalServices(t *testing.T) {
	doc, err := Render(LimitRegions, vars)
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{
		"kms:CreateKey", "acm:RequestCertificate", "config:PutConfigRule", "resource-explorer-2:CreateIndex",
		"servicequotas:RequestServiceQuotaIncrease", "waf-regional:CreateWebACL", "wafv2:CreateWebACL",
	} {
		t.Run(action+" is denied outside the managed regions", func(t *testing.T) {
			if !denied(t, doc, action, lesseePrincipals[0], "ap-southeast-2") {
				t.Errorf("%s is allowed outside the managed regions, where nothing may be left behind", action)
			}
			if denied(t, doc, action, lesseePrincipals[0], "us-east-1") {
				t.Errorf("%s is denied in a managed region", action)
			}
		})
	}
}
