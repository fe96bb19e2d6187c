package stacks

import (
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/hub"
)

func TestSandboxAccountCleanupRole(t *testing.T) {
	tpl := template(t, StackSandboxAccount)
	tpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), props{
		"RoleName":           names.Physical(testCfg.Namespace, names.SandboxAccountRole),
		"MaxSessionDuration": 3600,
		"AssumeRolePolicyDocument": props{
			"Version": "2012-10-17",
			"Statement": []any{props{
				"Action":    "sts:AssumeRole",
				"Effect":    "Allow",
				"Principal": objectLike(props{"AWS": objectLike(props{})}),
				"Condition": props{"ArnEquals": props{"aws:PrincipalArn": hub.HopRoleArn(testCfg.HubAccountID, testCfg.Namespace, names.SandboxAccountRole)}},
			}},
		},
	})
	// The cleanup role is the one place *:* is justified (aws-nuke); see
	// sandbox.NewCleanupRole.
	assertNoWildcardActions(t, resources(t, StackSandboxAccount), "*")
	if found := template(t, StackSandboxAccount).FindParameters(jsii.String("BootstrapVersion"), nil); len(*found) != 0 {
		t.Error("the StackSet template must not need a CDK bootstrap")
	}
}
