package sandbox

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/hub"
	"github.com/isb-go/isb/infra/internal/platform"
)

// LesseeRoleProps configures the lessee role.
type LesseeRoleProps struct {
	Namespace    string
	HubAccountID string
}

// NewLesseeRole creates the role whose short sessions the API hands a
// lessee (GET /leases/{leaseId}/credentials), assumed only from the hub's
// lessee hop. Like a person's User permission set it may do what the pool
// OUs' SCPs leave to a sandbox user; its own Deny bars what would outlive
// the lease (IAM users and access keys, leaving the organization).
//
// Its name is outside the SCPs' isb-<ns>-* principal exemption
// (names.RoleName), so the write protection of every OU but Active
// applies to its sessions and the control-plane protection keeps it from
// changing itself, its revocation policy or the platform's roles.
func NewLesseeRole(scope constructs.Construct, id string, props *LesseeRoleProps) awsiam.Role {
	role := hub.NewTrustedRole(scope, id, &hub.TrustedRoleProps{
		Namespace: props.Namespace, HubAccountID: props.HubAccountID, Base: names.LesseeRole,
		Description: "Innovation Sandbox lessee role: a lease's short sessions, assumed only from the hub's lessee hop",
		PolicyName:  "NothingThatOutlivesTheLease",
		Statements: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("DenyIsolationBreaks"), Effect: awsiam.Effect_DENY,
				Actions: jsii.Strings(isolationBreaks...), Resources: jsii.Strings("*"),
			}),
		},
	})
	// The session names the lessee (SourceIdentity) so CloudTrail in the
	// account says who acted; setting it needs the trust's consent.
	role.AssumeRolePolicy().AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("HopSetsTheLessee"),
		Actions:    jsii.Strings("sts:SetSourceIdentity"),
		Principals: &[]awsiam.IPrincipal{hub.TrustHop(props.HubAccountID, props.Namespace, names.LesseeRole)},
	}))
	role.AddManagedPolicy(awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AdministratorAccess")))
	platform.Suppress(role, platform.Suppression{
		Rule: "AwsSolutions-IAM4",
		Reason: "A lessee may do in the sandbox account what a person's User permission set allows: " +
			"AdministratorAccess bounded by the pool OUs' SCPs and the role's own Deny, as upstream's sandbox users.",
		AppliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess"},
	})
	return role
}
