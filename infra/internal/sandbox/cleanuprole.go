// Package sandbox holds the resources the StackSet deploys into every pool
// account.
package sandbox

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/hub"
	"github.com/isb-go/isb/infra/internal/platform"
)

// CleanupRoleProps configures the cleanup role.
type CleanupRoleProps struct {
	Namespace    string
	HubAccountID string
}

// NewCleanupRole creates the role the account cleaner assumes (through the
// hub's sandbox hop) to run aws-nuke in the account. aws-nuke must
// be able to delete anything a sandbox user could create, so the role may
// do everything; the service control policies on the pool OU are what
// bound it (they exempt isb-<ns>-* roles only from the write protection,
// not from the region and service limits).
func NewCleanupRole(scope constructs.Construct, id string, props *CleanupRoleProps) awsiam.Role {
	return hub.NewTrustedRole(scope, id, &hub.TrustedRoleProps{
		Namespace: props.Namespace, HubAccountID: props.HubAccountID, Base: names.SandboxAccountRole,
		Description: "Innovation Sandbox cleanup role: aws-nuke runs as this role, assumed only from the hub's sandbox hop",
		PolicyName:  "Cleanup",
		Statements: []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("NukeEverything"), Actions: jsii.Strings("*"), Resources: jsii.Strings("*"),
		})},
		Wildcards: &platform.Suppression{
			Reason: "aws-nuke deletes every resource type a sandbox user can create, so the cleanup role needs *:* in the sandbox account; " +
				"only the hub's sandbox hop can assume it and the pool OU's SCPs bound what it can touch.",
			AppliesTo: []string{"Action::*", "Resource::*"},
		},
	})
}
