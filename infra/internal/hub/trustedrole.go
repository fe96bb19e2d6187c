package hub

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/platform"
)

// TrustedRoleProps configures a role in another account that only its
// hub hop (names.HopFor(Base)) may assume.
type TrustedRoleProps struct {
	Namespace    string
	HubAccountID string
	// Base is the role's base name from common/names (Physical(ns, Base));
	// it must be one of names.HopTargets.
	Base        string
	Description string
	// PolicyName and Statements are its one inline policy.
	PolicyName string
	Statements []awsiam.PolicyStatement
	// Wildcards waives cdk-nag IAM5 for the listed findings, with why.
	Wildcards *platform.Suppression
}

// NewTrustedRole creates the role: named Physical(ns, Base), trusted only
// by the hub's hop for Base (TrustHop), one-hour sessions.
func NewTrustedRole(scope constructs.Construct, id string, props *TrustedRoleProps) awsiam.Role {
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		RoleName:           jsii.String(names.RoleName(props.Namespace, props.Base)),
		Description:        jsii.String(props.Description),
		AssumedBy:          TrustHop(props.HubAccountID, props.Namespace, props.Base),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			props.PolicyName: awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &props.Statements}),
		},
	})
	if props.Wildcards != nil {
		w := *props.Wildcards
		w.Rule = "AwsSolutions-IAM5"
		platform.Suppress(role, w)
	}
	return role
}
