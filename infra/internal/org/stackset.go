package org

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudformation"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// SandboxStackSetProps configures the StackSet.
type SandboxStackSetProps struct {
	// Name is the StackSet name; its instances are named
	// StackSet-<Name>-<uuid>, which the control-plane SCP protects.
	Name string
	// TemplateBody is the SandboxAccount template as JSON.
	TemplateBody string
	// Target is the OU whose accounts (at any depth) get an instance.
	Target awsorganizations.CfnOrganizationalUnit
	// Region is the single region instances are deployed to (IAM is
	// global; one instance per account is enough).
	Region string
}

// NewSandboxStackSet creates a service-managed StackSet with automatic
// deployment: every account that enters the pool OU gets the
// SandboxAccount stack, and an account that leaves it loses it.
func NewSandboxStackSet(
	scope constructs.Construct,
	id string,
	props *SandboxStackSetProps,
) awscloudformation.CfnStackSet {
	return awscloudformation.NewCfnStackSet(scope, jsii.String(id), &awscloudformation.CfnStackSetProps{
		StackSetName:    jsii.String(props.Name),
		Description:     jsii.String("Innovation Sandbox cleanup role in every pool account"),
		PermissionModel: jsii.String("SERVICE_MANAGED"),
		CallAs:          jsii.String("SELF"),
		AutoDeployment: &awscloudformation.CfnStackSet_AutoDeploymentProperty{
			Enabled:                      jsii.Bool(true),
			RetainStacksOnAccountRemoval: jsii.Bool(false),
		},
		Capabilities: jsii.Strings("CAPABILITY_NAMED_IAM"),
		// The L1 types ManagedExecution as JSON, so the struct would be
		// serialized with lower-case keys; a map keeps "Active".
		ManagedExecution: map[string]any{"Active": true},
		OperationPreferences: &awscloudformation.CfnStackSet_OperationPreferencesProperty{
			FailureTolerancePercentage: jsii.Number(10),
			MaxConcurrentPercentage:    jsii.Number(100),
			RegionConcurrencyType:      jsii.String("PARALLEL"),
		},
		StackInstancesGroup: []any{&awscloudformation.CfnStackSet_StackInstancesProperty{
			DeploymentTargets: &awscloudformation.CfnStackSet_DeploymentTargetsProperty{
				OrganizationalUnitIds: &[]*string{props.Target.AttrId()},
			},
			Regions: jsii.Strings(props.Region),
		}},
		TemplateBody: jsii.String(props.TemplateBody),
	})
}
