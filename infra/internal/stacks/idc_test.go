package stacks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
)

func TestIDCConfigurerFunction(t *testing.T) {
	tpl := template(t, StackIDC)
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), props{
		"Runtime":       "provided.al2023",
		"Architectures": []any{"arm64"},
		"Handler":       "bootstrap",
		"MemorySize":    assertions.Match_AnyValue(),
		"TracingConfig": assertions.Match_Absent(),
		"LoggingConfig": objectLike(props{"LogFormat": "JSON"}),
	})
	tpl.AllResourcesProperties(jsii.String("AWS::Logs::LogGroup"), props{
		"RetentionInDays": testCfg.LogRetentionDays,
		"KmsKeyId":        assertions.Match_AnyValue(),
	})
	tpl.AllResourcesProperties(jsii.String("AWS::IAM::Role"), props{"ManagedPolicyArns": assertions.Match_Absent()})

	all := resources(t, StackIDC)
	for _, id := range ofType(all, "AWS::Lambda::Function") {
		if mem := all[id].Properties["MemorySize"].(float64); mem < 128 || mem > 256 {
			t.Errorf("function memory %v MB outside 128–256", mem)
		}
	}
	crs := ofType(all, "Custom::IdcConfiguration")
	if len(crs) != 1 {
		t.Fatalf("want one Custom::IdcConfiguration, got %v", crs)
	}
	var spec struct {
		Groups []struct {
			Role, DisplayName string
		}
		PermissionSets []struct {
			Role, Name, SessionDuration string
			ManagedPolicyArns           []string
		}
	}
	if err := json.Unmarshal([]byte(all[crs[0]].Properties["Spec"].(string)), &spec); err != nil {
		t.Fatal(err)
	}
	if len(spec.Groups) != 3 || spec.Groups[0].DisplayName != testCfg.AdminGroupName ||
		spec.Groups[2].DisplayName != testCfg.UserGroupName {
		t.Errorf("groups = %+v", spec.Groups)
	}
	for _, ps := range spec.PermissionSets {
		if ps.SessionDuration == "" {
			t.Errorf("permission set %s has no session duration", ps.Name)
		}
		if ps.Role != "Admin" && strings.Contains(strings.Join(ps.ManagedPolicyArns, ","), "AdministratorAccess") {
			t.Errorf("permission set %s must not be AdministratorAccess", ps.Name)
		}
	}
	assertNoWildcardActions(t, all)
}

func TestIDCRole(t *testing.T) {
	tpl := template(t, StackIDC)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), props{
		"RoleName": names.Physical(testCfg.Namespace, names.IdcRole),
		"AssumeRolePolicyDocument": objectLike(props{"Statement": []any{objectLike(props{
			"Condition": onlyHop(names.IdcRole),
		})}}),
	})
	all := resources(t, StackIDC)
	denied := 0
	for _, st := range statements(all) {
		if !contains(actions(st), "sso:CreateAccountAssignment") {
			continue
		}
		b, _ := json.Marshal(st["Resource"])
		if st["Effect"] == "Deny" {
			denied++
			for _, id := range []string{testCfg.HubAccountID, testCfg.OrgMgtAccountID, testCfg.IdcAccountID} {
				if !strings.Contains(string(b), `"arn:aws:sso:::account/`+id+`"`) {
					t.Errorf("assignments on account %s are not denied: %s", id, b)
				}
			}
			continue
		}
		if !strings.Contains(string(b), "PermissionSetArn") || strings.Contains(string(b), "permissionSet/") {
			t.Errorf("assignments must be limited to the ISB permission sets: %s", b)
		}
		if !strings.Contains(string(b), `"UserPermissionSetArn"`) ||
			strings.Contains(string(b), "AdminPermissionSetArn") ||
			strings.Contains(string(b), "ManagerPermissionSetArn") {
			t.Errorf("assignments must be limited to the User permission set: %s", b)
		}
	}
	if denied != 1 {
		t.Errorf("%d statements deny assignments on the platform's accounts, want 1", denied)
	}
	tpl.HasResourceProperties(jsii.String("AWS::SSM::Parameter"), props{
		"Name": "/" + names.Physical(testCfg.Namespace, names.IdcConfigParam),
		"Tier": "Advanced",
	})
	tpl.HasResourceProperties(jsii.String("AWS::RAM::ResourceShare"), props{"Principals": []any{testCfg.HubAccountID}})
}

func TestIDCReadOnlyRole(t *testing.T) {
	all := resources(t, StackIDC)
	var role map[string]any
	for _, id := range ofType(all, "AWS::IAM::Role") {
		if all[id].Properties["RoleName"] == names.Physical(testCfg.Namespace, names.IdcReadOnlyRole) {
			role = all[id].Properties
		}
	}
	if role == nil {
		t.Fatal("no read-only IDC role")
	}
	t.Run("only the read-only IDC hop may assume it", func(t *testing.T) {
		b, _ := json.Marshal(role["AssumeRolePolicyDocument"])
		want, _ := json.Marshal(onlyHop(names.IdcReadOnlyRole))
		if !strings.Contains(string(b), string(want)) || strings.Count(string(b), "aws:PrincipalArn") != 1 {
			t.Errorf("trust %s, want only the read-only hop (%s)", b, want)
		}
	})
	t.Run("it may only describe, list and get in the identity store", func(t *testing.T) {
		var granted []string
		for _, p := range asList(role["Policies"]) {
			for _, st := range asList(p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"]) {
				st := st.(map[string]any)
				if st["Effect"] != "Allow" {
					continue
				}
				granted = append(granted, actions(st)...)
				b, _ := json.Marshal(st["Resource"])
				if strings.Contains(string(b), `"*"`) {
					t.Errorf("statement on every resource: %s", b)
				}
			}
		}
		for _, a := range granted {
			verb, ok := strings.CutPrefix(a, "identitystore:")
			if !ok ||
				!(strings.HasPrefix(verb, "Describe") || strings.HasPrefix(verb, "List") || strings.HasPrefix(verb, "Get")) {
				t.Errorf("read-only role may %s", a)
			}
		}
		// What sign-in and email call.
		for _, want := range []string{"identitystore:GetUserId", "identitystore:DescribeUser",
			"identitystore:ListGroupMemberships", "identitystore:ListGroupMembershipsForMember"} {
			if !contains(granted, want) {
				t.Errorf("read-only role lacks %s", want)
			}
		}
	})
}

func TestTheIDCConfigurerChangesOnlyPermissionSetsCarryingTheDeploymentTag(t *testing.T) {
	all := resources(t, StackIDC)
	changes := []string{
		"sso:UpdatePermissionSet",
		"sso:AttachManagedPolicyToPermissionSet",
		"sso:PutInlinePolicyToPermissionSet",
		"sso:DetachManagedPolicyFromPermissionSet",
		"sso:DeleteInlinePolicyFromPermissionSet",
		"sso:ProvisionPermissionSet",
		"sso:CreatePermissionSet",
	}
	bound := 0
	for _, st := range statements(all) {
		b, _ := json.Marshal(st["Resource"])
		if !strings.Contains(string(b), "permissionSet/") {
			continue
		}
		for _, a := range actions(st) {
			if !contains(changes, a) {
				continue
			}
			c, _ := json.Marshal(st["Condition"])
			if !strings.Contains(string(c), `Tag/`+names.TagNamespace+`":"`+testCfg.Namespace+`"`) {
				t.Errorf("%s on every permission set of the instance, without the deployment's tag: %s", a, c)
			} else {
				bound++
			}
		}
	}
	if bound == 0 {
		t.Error("no permission set change is bound to the deployment's tag")
	}
	crs := ofType(all, "Custom::IdcConfiguration")
	if len(crs) != 1 ||
		!strings.Contains(
			all[crs[0]].Properties["Spec"].(string),
			`"tags":{"`+names.TagNamespace+`":"`+testCfg.Namespace+`"}`,
		) {
		t.Errorf("the configurer is not told to tag the permission sets it creates")
	}
}
