package org

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// CostAllocationTagsProps configures the tag activation.
type CostAllocationTagsProps struct {
	// TagKeys are activated as cost allocation tags.
	TagKeys []string
	// Key, RetentionDays and Mode configure the provider's log group.
	Key           awskms.IKey
	RetentionDays int
	Mode          config.Mode
}

// NewCostAllocationTags activates cost allocation tags in the management
// account with an AwsCustomResource calling
// ce:UpdateCostAllocationTagsStatus, so no Lambda of ours is needed. A tag
// Cost Explorer has not seen yet is reported in the response's Errors and
// does not fail the stack; the call is repeated on every stack update.
// Deleting the stack leaves the tags active.
func NewCostAllocationTags(
	scope constructs.Construct,
	id string,
	props *CostAllocationTagsProps,
) customresources.AwsCustomResource {
	c := constructs.NewConstruct(scope, jsii.String(id))
	logs := platform.NewLogGroup(
		c,
		"ProviderLogs",
		&platform.LogGroupProps{Key: props.Key, RetentionDays: props.RetentionDays, Mode: props.Mode},
	)
	role := awsiam.NewRole(c, jsii.String("ProviderRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Activates Innovation Sandbox cost allocation tags"),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{logs.LogGroupArn()},
	}))
	var statuses []map[string]string
	for _, k := range props.TagKeys {
		statuses = append(statuses, map[string]string{"TagKey": k, "Status": "Active"})
	}
	call := &customresources.AwsSdkCall{
		Service:            jsii.String("CostExplorer"),
		Action:             jsii.String("UpdateCostAllocationTagsStatus"),
		Parameters:         map[string]any{"CostAllocationTagsStatus": statuses},
		Region:             jsii.String("us-east-1"), // Cost Explorer's only endpoint
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String("cost-allocation-tags")),
	}
	cr := customresources.NewAwsCustomResource(c, jsii.String("Activate"), &customresources.AwsCustomResourceProps{
		ResourceType:        jsii.String("Custom::CostAllocationTags"),
		OnCreate:            call,
		OnUpdate:            call,
		Role:                role,
		LogGroup:            logs,
		Timeout:             awscdk.Duration_Minutes(jsii.Number(2)),
		InstallLatestAwsSdk: jsii.Bool(false),
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("ce:UpdateCostAllocationTagsStatus"),
				Resources: jsii.Strings("*"),
			}),
		}),
	})
	platform.Suppress(c, platform.Suppression{
		Rule:      "AwsSolutions-IAM5",
		Reason:    "ce:UpdateCostAllocationTagsStatus has no resource-level permissions.",
		AppliesTo: []string{"Resource::*"},
	})
	return cr
}
