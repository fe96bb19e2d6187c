package stacks

import (
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
)

func TestSandboxAccountCleanupRole(t *testing.T) {
	tpl := template(t, StackSandboxAccount)
	// The cleanup role and the lessee role.
	tpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(2))
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), props{
		"RoleName":           names.Physical(testCfg.Namespace, names.SandboxAccountRole),
		"MaxSessionDuration": 3600,
		"AssumeRolePolicyDocument": props{
			"Version": "2012-10-17",
			"Statement": []any{props{
				"Action":    "sts:AssumeRole",
				"Effect":    "Allow",
				"Principal": objectLike(props{"AWS": objectLike(props{})}),
				"Condition": onlyHop(names.SandboxAccountRole),
			}},
		},
	})
	// The cleanup role is the one place *:* is justified (aws-nuke); see
	// sandbox.NewCleanupRole.
	assertNoWildcardActions(t, resources(t, StackSandboxAccount), "*")
	if found := template(t, StackSandboxAccount).FindParameters(jsii.String("BootstrapVersion"), nil); len(
		*found,
	) != 0 {
		t.Error("the StackSet template must not need a CDK bootstrap")
	}
}

func TestSandboxAccountLesseeRoleIsTrustedOnlyByTheLesseeHop(t *testing.T) {
	tpl := template(t, StackSandboxAccount)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), props{
		"RoleName":           "Lessee-" + names.Physical(testCfg.Namespace, names.LesseeRole),
		"MaxSessionDuration": 3600,
		"AssumeRolePolicyDocument": props{
			"Version": "2012-10-17",
			"Statement": []any{
				props{
					"Action":    "sts:AssumeRole",
					"Effect":    "Allow",
					"Principal": objectLike(props{"AWS": objectLike(props{})}),
					"Condition": onlyHop(names.LesseeRole),
				},
				props{
					"Action":    "sts:SetSourceIdentity",
					"Effect":    "Allow",
					"Principal": objectLike(props{"AWS": objectLike(props{})}),
					"Condition": onlyHop(names.LesseeRole),
				},
			},
		},
		"ManagedPolicyArns": []any{objectLike(props{})},
		"Policies": []any{props{
			"PolicyName": "NothingThatOutlivesTheLease",
			"PolicyDocument": objectLike(props{"Statement": []any{objectLike(props{
				"Effect": "Deny", "Sid": "DenyIsolationBreaks",
			})}}),
		}},
	})
}

func TestSandboxAccountCleanupRoleIsDeniedWhatCleanupNeverDoes(t *testing.T) {
	var denied []string
	for _, st := range statements(resources(t, StackSandboxAccount)) {
		if st["Effect"] == "Deny" && st["Resource"] == "*" && st["Condition"] == nil {
			denied = append(denied, actions(st)...)
		}
	}
	for _, tc := range []struct{ what, action string }{
		{"leaving the organization", "organizations:LeaveOrganization"},
		{"closing the account", "account:CloseAccount"},
		{"reserved capacity", "ec2:PurchaseReservedInstancesOffering"},
		{"savings plans", "savingsplans:CreateSavingsPlan"},
		{"domains", "route53domains:RegisterDomain"},
		{"Marketplace", "aws-marketplace:Subscribe"},
		{"IAM users", "iam:CreateUser"},
		{"access keys", "iam:CreateAccessKey"},
		{"locked snapshots", "ec2:LockSnapshot"},
		{"air-gapped vaults", "backup:CreateLogicallyAirGappedBackupVault"},
		{"the account's public access block", "s3:PutAccountPublicAccessBlock"},
	} {
		t.Run("the cleanup role is denied "+tc.what, func(t *testing.T) {
			if !contains(denied, tc.action) {
				t.Errorf("the cleanup role's policy does not deny %s (it denies %v)", tc.action, denied)
			}
		})
	}
}
