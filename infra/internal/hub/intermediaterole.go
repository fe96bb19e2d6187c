package hub

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/platform"
)

// IntermediateRoleProps configures the intermediate role.
type IntermediateRoleProps struct {
	Namespace       string
	HubAccountID    string
	OrgMgtAccountID string
	IdcAccountID    string
}

// NewIntermediateRole creates the hub role every cross-account call goes
// through. It may assume only the three ISB target roles: the OrgMgt role,
// the IDC role and the cleanup role in any pool account.
//
// Trust: principals of the hub account whose ARN matches
// role/isb-<ns>-* — the stacks of this deployment are named isb-<ns>-…,
// so every role CloudFormation generates in them matches, and nothing
// outside the deployment does unless an administrator names it so. A
// caller still needs its own sts:AssumeRole grant on this role's ARN
// (GrantAssume), so matching the pattern alone is not enough.
func NewIntermediateRole(scope constructs.Construct, id string, props *IntermediateRoleProps) awsiam.Role {
	sandboxRoles := fmt.Sprintf("arn:aws:iam::*:role/%s", names.Physical(props.Namespace, names.SandboxAccountRole))
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		RoleName:    jsii.String(names.Physical(props.Namespace, names.IntermediateRole)),
		Description: jsii.String("Innovation Sandbox: first hop of every cross-account call from the hub"),
		AssumedBy: awsiam.NewAccountPrincipal(jsii.String(props.HubAccountID)).WithConditions(&map[string]any{
			"ArnLike": map[string]any{"aws:PrincipalArn": fmt.Sprintf("arn:aws:iam::%s:role/%s", props.HubAccountID, names.Physical(props.Namespace, "*"))},
		}),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
		InlinePolicies: &map[string]awsiam.PolicyDocument{"AssumeIsbRoles": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
			Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:     jsii.String("AssumeIsbTargetRoles"),
				Actions: jsii.Strings("sts:AssumeRole"),
				Resources: jsii.Strings(
					RoleArn(props.OrgMgtAccountID, props.Namespace, names.OrgMgtRole),
					RoleArn(props.IdcAccountID, props.Namespace, names.IdcRole),
					sandboxRoles,
				),
			})},
		})},
	})
	platform.Suppress(role, platform.Suppression{
		Rule:      "AwsSolutions-IAM5",
		Reason:    "Pool accounts join and leave at run time, so the cleanup role is matched in any account (arn:aws:iam::*:role/isb-<ns>-SandboxAccountRole); the role name is fixed.",
		AppliesTo: []string{"Resource::" + sandboxRoles},
	})
	return role
}
