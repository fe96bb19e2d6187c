// Package sandbox holds the resources the StackSet deploys into every pool
// account.
package sandbox

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/hub"
	"github.com/isb-go/isb/infra/internal/platform"
	"github.com/isb-go/isb/infra/scp"
)

// CleanupRoleProps configures the cleanup role.
type CleanupRoleProps struct {
	Namespace    string
	HubAccountID string
}

// NewCleanupRole creates the role the account cleaner assumes (through the
// hub's sandbox hop) to run aws-nuke in the account. aws-nuke must
// be able to delete anything a sandbox user could create, so the role may
// do everything but what cleanup never needs and cannot undo.
//
// The SCPs exempt isb-<ns>-* roles where the cleaner must act (the write
// and control-plane protection, the service and region limits, as it lists
// every resource type in every enabled region), but not from the
// restrictions' isolation and purchase denies; the role's own Deny below
// repeats those and adds the irreversible locks, so it stays bounded even
// where an SCP exempts it.
func NewCleanupRole(scope constructs.Construct, id string, props *CleanupRoleProps) awsiam.Role {
	return hub.NewTrustedRole(scope, id, &hub.TrustedRoleProps{
		Namespace: props.Namespace, HubAccountID: props.HubAccountID, Base: names.SandboxAccountRole,
		Description: "Innovation Sandbox cleanup role: aws-nuke runs as this role, assumed only from the hub's sandbox hop",
		PolicyName:  "Cleanup",
		Statements: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("NukeEverything"), Actions: jsii.Strings("*"), Resources: jsii.Strings("*"),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("DenyWhatCleanupNeverDoes"), Effect: awsiam.Effect_DENY,
				Actions: jsii.Strings(CleanupDenied()...), Resources: jsii.Strings("*"),
			}),
		},
		Wildcards: &platform.Suppression{
			Reason: "aws-nuke deletes every resource type a sandbox user can create, so the cleanup role needs *:* in the sandbox account; " +
				"only the hub's sandbox hop can assume it, its own Deny bars leaving the organization, closing the account, purchases, " +
				"IAM users and keys and irreversible locks, and the pool OU's restrictions SCP denies it the same isolation breaks and purchases.",
			AppliesTo: []string{"Action::*", "Resource::*"},
		},
	})
}

// isolationBreaks are what would let the account or its holder outlive
// the pool, which aws-nuke never needs.
var isolationBreaks = []string{
	"organizations:LeaveOrganization",
	"account:CloseAccount",
	"iam:CreateUser",
	"iam:CreateAccessKey",
	"iam:CreateLoginProfile",
}

// irreversible are the locks and account settings cleanup cannot undo,
// which aws-nuke never needs to set.
var irreversible = []string{
	"ec2:LockSnapshot",
	"backup:CreateLogicallyAirGappedBackupVault",
	"backup:PutBackupVaultLockConfiguration",
	"glacier:InitiateVaultLock",
	"glacier:CompleteVaultLock",
	"s3:PutBucketObjectLockConfiguration",
	"s3:PutAccountPublicAccessBlock",
}

// CleanupDenied lists what the cleanup role is denied: leaving the
// organization, closing the account, IAM users and access keys, the
// restrictions SCP's purchases (reserved capacity, savings plans, domains,
// Marketplace) and the irreversible locks.
func CleanupDenied() []string {
	purchases, err := scp.Actions(scp.Restrictions, "DenyLongTermCommitments")
	if err != nil {
		panic(fmt.Sprintf("cleanup role: %v", err))
	}
	return slices.Concat(isolationBreaks, purchases, irreversible)
}
