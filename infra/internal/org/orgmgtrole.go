package org

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/hub"
	"github.com/isb-go/isb/infra/internal/platform"
)

// OrgMgtRoleProps configures the management-account role.
type OrgMgtRoleProps struct {
	Namespace       string
	HubAccountID    string
	OrgMgtAccountID string
	OUs             *OrganizationalUnits
}

// NewOrgMgtRole creates the role the hub assumes (through its OrgMgt hop
// role) for AWS Organizations and Cost Explorer. It can move accounts only
// between the pool OUs and read only those OUs and the accounts of this
// organization.
func NewOrgMgtRole(scope constructs.Construct, id string, props *OrgMgtRoleProps) awsiam.Role {
	var ouArns []*string
	for _, ou := range props.OUs.All() {
		ouArns = append(ouArns, ou.AttrArn())
	}
	// Account ARNs need the organization id, which is not known at synth
	// time; o-* is bounded by the management account in the ARN.
	accounts := fmt.Sprintf("arn:aws:organizations::%s:account/o-*/*", props.OrgMgtAccountID)
	moveTargets := append(append([]*string{}, ouArns...), jsii.String(accounts))
	return hub.NewTrustedRole(scope, id, &hub.TrustedRoleProps{
		Namespace: props.Namespace, HubAccountID: props.HubAccountID, Base: names.OrgMgtRole,
		Description: "Innovation Sandbox: Organizations and Cost Explorer access for the hub's OrgMgt hop", PolicyName: "OrgMgt",
		Statements: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("MoveAccountsBetweenPoolOus"),
				Actions:   jsii.Strings("organizations:MoveAccount"),
				Resources: &moveTargets,
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("ReadPoolOus"),
				Actions: jsii.Strings("organizations:ListAccountsForParent", "organizations:ListChildren",
					"organizations:ListOrganizationalUnitsForParent", "organizations:DescribeOrganizationalUnit",
					"organizations:ListParents"),
				Resources: &ouArns,
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadAccounts"),
				Actions:   jsii.Strings("organizations:DescribeAccount", "organizations:ListParents", "organizations:ListTagsForResource"),
				Resources: jsii.Strings(accounts),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadCosts"),
				Actions:   jsii.Strings("ce:GetCostAndUsage"),
				Resources: jsii.Strings("*"),
			}),
		},
		Wildcards: &platform.Suppression{Reason: "Account ARNs embed the organization id, unknown at synth time, so they are matched as account/o-*/* under this management account; " +
			"ce:GetCostAndUsage has no resource-level permissions.",
			AppliesTo: []string{"Resource::" + accounts, "Resource::*"}},
	})
}
