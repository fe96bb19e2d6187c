package hub

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/platform"
)

// HopsProps configures the hop roles.
type HopsProps struct {
	Namespace       string
	HubAccountID    string
	OrgMgtAccountID string
	IdcAccountID    string
	// PoolOrgPath is the pool OU's path in the organization
	// (o-…/r-…/…/ou-…). The sandbox hop may assume the cleanup role only
	// in accounts under it (aws:ResourceOrgPaths).
	PoolOrgPath string
	// Assumers lists, per target role (one of names.HopTargets), the roles
	// of the functions that reach it. This is the one table of who may
	// assume what: each hop trusts exactly its assumers and each assumer
	// is granted exactly the hops it is listed under.
	Assumers map[string][]awsiam.IRole
}

// SandboxTargetArn matches the cleanup role in every account: pool
// accounts join and leave at run time, so the sandbox hop names the role
// in any account and bounds the accounts with aws:ResourceOrgPaths.
func SandboxTargetArn(namespace string) string {
	return fmt.Sprintf("arn:aws:iam::*:role/%s", names.Physical(namespace, names.SandboxAccountRole))
}

// LesseeTargetArn matches the lessee role in every account, as
// SandboxTargetArn does the cleanup role.
func LesseeTargetArn(namespace string) string {
	return fmt.Sprintf("arn:aws:iam::*:role/%s", names.RoleName(namespace, names.LesseeRole))
}

// PoolOrgPathCondition is the sandbox hop's condition: the role assumed
// must be in an account under the pool OU.
func PoolOrgPathCondition(poolOrgPath string) map[string]any {
	return map[string]any{"ForAnyValue:StringLike": map[string]any{"aws:ResourceOrgPaths": []string{poolOrgPath + "/*"}}}
}

// NewHops creates one hub role per target in names.HopTargets. Each may
// assume only its target role, is trusted only by the roles listed for
// that target in Assumers (by ARN, so no other role of the hub, however
// named, can use it), and grants those roles sts:AssumeRole on itself.
// A target without assumers is a wiring mistake and panics: a trust
// policy with no principal cannot be deployed.
func NewHops(scope constructs.Construct, id string, props *HopsProps) map[string]awsiam.Role {
	c := constructs.NewConstruct(scope, jsii.String(id))
	for target := range props.Assumers {
		if !slices.Contains(names.HopTargets, target) {
			panic(fmt.Sprintf("hub: %q is not a cross-account target role", target))
		}
	}
	out := map[string]awsiam.Role{}
	for _, target := range names.HopTargets {
		hop, _ := names.HopFor(target)
		assumers := props.Assumers[target]
		if len(assumers) == 0 {
			panic(fmt.Sprintf("hub: nothing assumes the hop to %s", target))
		}
		principals := make([]awsiam.IPrincipal, 0, len(assumers))
		for _, r := range assumers {
			principals = append(principals, awsiam.NewArnPrincipal(r.RoleArn()))
		}
		allow := &awsiam.PolicyStatementProps{Sid: jsii.String("AssumeTarget"), Actions: jsii.Strings("sts:AssumeRole")}
		switch target {
		case names.OrgMgtRole:
			allow.Resources = jsii.Strings(RoleArn(props.OrgMgtAccountID, props.Namespace, target))
		case names.IdcRole, names.IdcReadOnlyRole:
			allow.Resources = jsii.Strings(RoleArn(props.IdcAccountID, props.Namespace, target))
		case names.SandboxAccountRole:
			allow.Resources = jsii.Strings(SandboxTargetArn(props.Namespace))
			allow.Conditions = ptr(PoolOrgPathCondition(props.PoolOrgPath))
		case names.LesseeRole:
			// The lessee's session names the lessee (SourceIdentity), which
			// the caller must be allowed to set.
			allow.Actions = jsii.Strings("sts:AssumeRole", "sts:SetSourceIdentity")
			allow.Resources = jsii.Strings(LesseeTargetArn(props.Namespace))
			allow.Conditions = ptr(PoolOrgPathCondition(props.PoolOrgPath))
		}
		role := awsiam.NewRole(c, jsii.String(hop), &awsiam.RoleProps{
			RoleName:           jsii.String(names.Physical(props.Namespace, hop)),
			Description:        jsii.String(fmt.Sprintf("Innovation Sandbox: hub hop to %s, trusted only by the functions that reach it", names.Physical(props.Namespace, target))),
			AssumedBy:          awsiam.NewCompositePrincipal(principals...),
			MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
			InlinePolicies: &map[string]awsiam.PolicyDocument{"AssumeTarget": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(allow)},
			})},
		})
		if target == names.SandboxAccountRole {
			platform.Suppress(role, platform.Suppression{
				Rule: "AwsSolutions-IAM5",
				Reason: "Pool accounts join and leave at run time, so the cleanup role is matched in any account " +
					"(arn:aws:iam::*:role/isb-<ns>-SandboxAccountRole); aws:ResourceOrgPaths limits it to accounts under the pool OU.",
				AppliesTo: []string{"Resource::" + SandboxTargetArn(props.Namespace)},
			})
		}
		if target == names.LesseeRole {
			platform.Suppress(role, platform.Suppression{
				Rule: "AwsSolutions-IAM5",
				Reason: "Pool accounts join and leave at run time, so the lessee role is matched in any account " +
					"(arn:aws:iam::*:role/Lessee-isb-<ns>-LesseeRole); aws:ResourceOrgPaths limits it to accounts under the pool OU.",
				AppliesTo: []string{"Resource::" + LesseeTargetArn(props.Namespace)},
			})
		}
		for _, r := range assumers {
			r.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("Assume" + hop), Actions: jsii.Strings("sts:AssumeRole"),
				Resources: jsii.Strings(RoleArn(props.HubAccountID, props.Namespace, hop)),
			}))
		}
		out[target] = role
	}
	return out
}

func ptr[T any](v T) *T { return &v }
