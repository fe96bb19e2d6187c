package idc

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/hub"
	"github.com/isb-go/isb/infra/internal/platform"
)

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
	storeArn := fmt.Sprintf("arn:aws:identitystore::%s:identitystore/%s", props.IdcAccountID, props.IdentityStoreID)
	const users, groups, memberships = "arn:aws:identitystore:::user/*", "arn:aws:identitystore:::group/*", "arn:aws:identitystore:::membership/*"
	return hub.NewTrustedRole(scope, id, &hub.TrustedRoleProps{
		Namespace: props.Namespace, HubAccountID: props.HubAccountID, Base: names.IdcReadOnlyRole,
		Description: "Innovation Sandbox: read-only Identity Store access for the hub's read-only IDC hop (sign-in, email)", PolicyName: "IdcReadOnly",
		Statements: []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadIdentityStore"),
			Actions:   jsii.Strings(IdcReadOnlyActions...),
			Resources: jsii.Strings(storeArn, users, groups, memberships),
		})},
		Wildcards: &platform.Suppression{Reason: "Users, groups and memberships of the identity store are dynamic, so they are matched as user/*, group/* " +
			"and membership/*; the role only reads them, in this one identity store.",
			AppliesTo: []string{"Resource::" + users, "Resource::" + groups, "Resource::" + memberships}},
	})
}
