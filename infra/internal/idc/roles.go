package idc

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/hub"
	"github.com/isb-go/isb/infra/internal/platform"
)

// Users, groups and memberships of the identity store are created at run
// time, so both roles match them by wildcard, in the one identity store.
const (
	storeUsers       = "arn:aws:identitystore:::user/*"
	storeGroups      = "arn:aws:identitystore:::group/*"
	storeMemberships = "arn:aws:identitystore:::membership/*"
)

// storeWildcards waive cdk-nag IAM5 for those wildcards.
var storeWildcards = []string{"Resource::" + storeUsers, "Resource::" + storeGroups, "Resource::" + storeMemberships}

// identityStore is the identity store's ARN and its users, groups and
// memberships.
func identityStore(idcAccountID, identityStoreID string) *[]*string {
	store := fmt.Sprintf("arn:aws:identitystore::%s:identitystore/%s", idcAccountID, identityStoreID)
	return jsii.Strings(store, storeUsers, storeGroups, storeMemberships)
}

// IdcRoleProps configures the Identity Center role.
type IdcRoleProps struct {
	Namespace       string
	HubAccountID    string
	IdcAccountID    string
	IdentityStoreID string
	InstanceArn     string
	// UserPermissionSetArn is the only permission set the hub may assign:
	// the lessee's. The Admin and Manager sets are assigned by people.
	UserPermissionSetArn *string
	// ProtectedAccountIDs (the hub, management and IDC accounts) may never
	// be the target of an assignment, whatever the permission set.
	ProtectedAccountIDs []string
}

// NewIdcRole creates the role the hub assumes (through its read-write IDC
// hop) to look up users and groups and to grant and revoke account
// access with the ISB User permission set only, never on the hub,
// management or IDC account.
func NewIdcRole(scope constructs.Construct, id string, props *IdcRoleProps) awsiam.Role {
	const accounts = "arn:aws:sso:::account/*"
	assignTargets := []*string{jsii.String(props.InstanceArn), jsii.String(accounts), props.UserPermissionSetArn}
	var protected []*string
	for _, id := range props.ProtectedAccountIDs {
		protected = append(protected, jsii.String("arn:aws:sso:::account/"+id))
	}
	return hub.NewTrustedRole(scope, id, &hub.TrustedRoleProps{
		Namespace: props.Namespace, HubAccountID: props.HubAccountID, Base: names.IdcRole,
		Description: "Innovation Sandbox: Identity Store and SSO Admin access for the hub's IDC hop", PolicyName: "Idc",
		Statements: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("ReadIdentityStore"),
				Actions: jsii.Strings("identitystore:GetUserId", "identitystore:DescribeUser", "identitystore:ListUsers",
					"identitystore:DescribeGroup", "identitystore:GetGroupId", "identitystore:ListGroups",
					"identitystore:ListGroupMemberships", "identitystore:ListGroupMembershipsForMember",
					"identitystore:IsMemberInGroups", "identitystore:GetGroupMembershipId"),
				Resources: identityStore(props.IdcAccountID, props.IdentityStoreID),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("AssignIsbPermissionSets"),
				Actions: jsii.Strings("sso:CreateAccountAssignment", "sso:DeleteAccountAssignment",
					"sso:ListAccountAssignments", "sso:DescribePermissionSet"),
				Resources: &assignTargets,
			}),
			// An explicit deny, so no later grant can open them: whoever holds
			// this role must never reach the platform's own accounts.
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("NeverAssignOnPlatformAccounts"), Effect: awsiam.Effect_DENY,
				Actions:   jsii.Strings("sso:CreateAccountAssignment", "sso:DeleteAccountAssignment"),
				Resources: &protected,
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("TrackAssignments"),
				Actions: jsii.Strings("sso:ListPermissionSets", "sso:DescribeAccountAssignmentCreationStatus",
					"sso:DescribeAccountAssignmentDeletionStatus", "sso:ListAccountAssignmentsForPrincipal"),
				Resources: jsii.Strings(props.InstanceArn),
			}),
		},
		Wildcards: &platform.Suppression{Reason: "Users, groups and memberships of the identity store and the pool accounts are dynamic, so they are matched as user/*, group/*, " +
			"membership/* and account/*; assignments are limited to this instance and the ISB User permission set, and denied on the hub, management and IDC accounts.",
			AppliesTo: append(slices.Clone(storeWildcards), "Resource::"+accounts)},
	})
}

// IdcReadOnlyActions are everything the read-only role may do: look up
// users, groups and memberships. The sign-in and email functions need
// nothing more, and nothing here changes anyone's access.
var IdcReadOnlyActions = []string{
	"identitystore:GetUserId", "identitystore:DescribeUser", "identitystore:ListUsers",
	"identitystore:GetGroupId", "identitystore:DescribeGroup", "identitystore:ListGroups",
	"identitystore:GetGroupMembershipId", "identitystore:DescribeGroupMembership",
	"identitystore:ListGroupMemberships", "identitystore:ListGroupMembershipsForMember",
}

// IdcReadOnlyRoleProps configures the read-only Identity Center role.
type IdcReadOnlyRoleProps struct {
	Namespace       string
	HubAccountID    string
	IdcAccountID    string
	IdentityStoreID string
}

// NewIdcReadOnlyRole creates the role the sign-in and email functions
// assume (through the hub's read-only IDC hop) to read the identity store.
// The sign-in handler faces the internet; through this role it can read
// who someone is but never grant or revoke account access.
func NewIdcReadOnlyRole(scope constructs.Construct, id string, props *IdcReadOnlyRoleProps) awsiam.Role {
	return hub.NewTrustedRole(scope, id, &hub.TrustedRoleProps{
		Namespace: props.Namespace, HubAccountID: props.HubAccountID, Base: names.IdcReadOnlyRole,
		Description: "Innovation Sandbox: read-only Identity Store access for the hub's read-only IDC hop (sign-in, email)", PolicyName: "IdcReadOnly",
		Statements: []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadIdentityStore"),
			Actions:   jsii.Strings(IdcReadOnlyActions...),
			Resources: identityStore(props.IdcAccountID, props.IdentityStoreID),
		})},
		Wildcards: &platform.Suppression{Reason: "Users, groups and memberships of the identity store are dynamic, so they are matched as user/*, group/* " +
			"and membership/*; the role only reads them, in this one identity store.",
			AppliesTo: storeWildcards},
	})
}
