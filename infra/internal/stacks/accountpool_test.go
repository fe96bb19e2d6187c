package stacks

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
)

// ouNames maps the OU logical ids of the AccountPool template to names.
func ouNames(t *testing.T, all map[string]resource) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, id := range ofType(all, "AWS::Organizations::OrganizationalUnit") {
		out[id] = all[id].Properties["Name"].(string)
	}
	return out
}

func TestAccountPoolOUs(t *testing.T) {
	all := resources(t, StackAccountPool)
	ous := ouNames(t, all)
	if len(ous) != 8 {
		t.Fatalf("want the pool OU and 7 children, got %v", ous)
	}
	poolName := names.Physical(testCfg.Namespace, "AccountPool")
	var poolID string
	for id, name := range ous {
		if name == poolName {
			poolID = id
		}
	}
	if poolID == "" || all[poolID].Properties["ParentId"] != testCfg.ParentOuID {
		t.Fatalf("pool OU %q missing or not under %s", poolName, testCfg.ParentOuID)
	}
	var children []string
	for id, name := range ous {
		if id != poolID {
			if getAttTarget(all[id].Properties["ParentId"]) != poolID {
				t.Errorf("OU %s is not under the pool OU", name)
			}
			children = append(children, name)
		}
	}
	sort.Strings(children)
	if got := strings.Join(children, ","); got != "Active,Available,CleanUp,Entry,Exit,Frozen,Quarantine" {
		t.Errorf("children = %s", got)
	}
}

func TestAccountPoolSCPAttachments(t *testing.T) {
	all := resources(t, StackAccountPool)
	ous := ouNames(t, all)
	policies := ofType(all, "AWS::Organizations::Policy")
	if len(policies) != 5 {
		t.Fatalf("want 5 SCPs, got %d", len(policies))
	}
	attached := map[string]string{}
	for _, id := range policies {
		p := all[id].Properties
		if p["Type"] != "SERVICE_CONTROL_POLICY" {
			t.Errorf("%s type %v", id, p["Type"])
		}
		var targets []string
		for _, tgt := range asList(p["TargetIds"]) {
			targets = append(targets, ous[getAttTarget(tgt)])
		}
		sort.Strings(targets)
		name := strings.TrimPrefix(p["Name"].(string), names.Physical(testCfg.Namespace, ""))
		attached[name] = strings.Join(targets, ",")
	}
	pool := names.Physical(testCfg.Namespace, "AccountPool")
	want := map[string]string{
		"nuke-supported-services": pool,
		"restrictions":            pool,
		"protect-control-plane":   pool,
		"limit-regions":           pool,
		"write-protection":        "Available,CleanUp,Entry,Exit,Frozen,Quarantine", // not Active
	}
	for name, targets := range want {
		if attached[name] != targets {
			t.Errorf("SCP %s attached to %q, want %q", name, attached[name], targets)
		}
	}
	t.Run("region limit lists the managed regions", func(t *testing.T) {
		b, _ := json.Marshal(all)
		if !strings.Contains(string(b), `"aws:RequestedRegion":["us-east-1","eu-west-2"]`) {
			t.Error("managed regions not substituted into the region SCP")
		}
	})
}

func TestAccountPoolOrgMgtRole(t *testing.T) {
	tpl := template(t, StackAccountPool)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), props{
		"RoleName": names.Physical(testCfg.Namespace, names.OrgMgtRole),
		"AssumeRolePolicyDocument": objectLike(props{"Statement": []any{objectLike(props{
			"Action":    "sts:AssumeRole",
			"Condition": onlyHop(names.OrgMgtRole),
		})}}),
	})
	all := resources(t, StackAccountPool)
	assertNoWildcardActions(t, all)
	var granted []string
	for _, st := range statements(all) {
		granted = append(granted, actions(st)...)
	}
	for _, want := range []string{"organizations:MoveAccount", "organizations:ListAccountsForParent", "organizations:DescribeAccount", "organizations:ListParents", "organizations:ListChildren", "ce:GetCostAndUsage"} {
		if !contains(granted, want) {
			t.Errorf("OrgMgt role lacks %s", want)
		}
	}
	for _, st := range statements(all) {
		if contains(actions(st), "organizations:MoveAccount") {
			for _, r := range asList(st["Resource"]) {
				if s, ok := r.(string); ok && s == "*" {
					t.Error("MoveAccount must be limited to the pool OUs and this organization's accounts")
				}
			}
		}
	}
}

func TestAccountPoolStackSet(t *testing.T) {
	all := resources(t, StackAccountPool)
	ids := ofType(all, "AWS::CloudFormation::StackSet")
	if len(ids) != 1 {
		t.Fatalf("want 1 StackSet, got %d", len(ids))
	}
	p := all[ids[0]].Properties
	if p["PermissionModel"] != "SERVICE_MANAGED" {
		t.Errorf("PermissionModel = %v", p["PermissionModel"])
	}
	if ad := p["AutoDeployment"].(map[string]any); ad["Enabled"] != true ||
		ad["RetainStacksOnAccountRemoval"] != false {
		t.Errorf("AutoDeployment = %v", ad)
	}
	if me := p["ManagedExecution"].(map[string]any); me["Active"] != true {
		t.Errorf("ManagedExecution = %v", me)
	}
	group := asList(p["StackInstancesGroup"])[0].(map[string]any)
	target := asList(group["DeploymentTargets"].(map[string]any)["OrganizationalUnitIds"])[0]
	if ouNames(t, all)[getAttTarget(target)] != names.Physical(testCfg.Namespace, "AccountPool") {
		t.Errorf("StackSet targets %v, want the pool OU", target)
	}
	var body struct {
		Resources map[string]resource `json:"Resources"`
	}
	if err := json.Unmarshal([]byte(p["TemplateBody"].(string)), &body); err != nil {
		t.Fatalf("TemplateBody is not JSON: %v", err)
	}
	roles := ofType(body.Resources, "AWS::IAM::Role")
	var roleNames []any
	for _, r := range roles {
		roleNames = append(roleNames, body.Resources[r].Properties["RoleName"])
	}
	want := []any{names.Physical(testCfg.Namespace, names.SandboxAccountRole),
		names.RoleName(testCfg.Namespace, names.LesseeRole)}
	if len(roles) != 2 || !slices.Contains(roleNames, want[0]) || !slices.Contains(roleNames, want[1]) {
		t.Errorf("TemplateBody holds the roles %v, want the cleanup and lessee roles %v", roleNames, want)
	}
	if len(p["TemplateBody"].(string)) > 51200 {
		t.Error("TemplateBody is over the 51,200-byte CloudFormation limit")
	}
}

func TestAccountPoolSharedConfig(t *testing.T) {
	tpl := template(t, StackAccountPool)
	tpl.HasResourceProperties(jsii.String("AWS::SSM::Parameter"), props{
		"Name": "/" + names.Physical(testCfg.Namespace, names.AccountPoolConfigParam),
		"Tier": "Advanced",
	})
	tpl.HasResourceProperties(jsii.String("AWS::RAM::ResourceShare"), props{
		"Principals":              []any{testCfg.HubAccountID},
		"AllowExternalPrincipals": false,
	})
	tpl.HasResourceProperties(jsii.String("Custom::CostAllocationTags"), props{
		"Create": assertions.Match_StringLikeRegexp(jsii.String("UpdateCostAllocationTagsStatus")),
	})
}
