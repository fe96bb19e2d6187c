package events

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// AuditLogProps configures the audit log.
type AuditLogProps struct {
	Namespace        string
	HubAccountID     string
	Bus              awsevents.IEventBus
	DeadLetter       awssqs.IQueue
	Key              awskms.IKey
	LogRetentionDays int
	Mode             config.Mode
}

// AuditLog is a rule that copies every event on the bus into a log group.
type AuditLog struct {
	constructs.Construct
	LogGroup awslogs.LogGroup
	Rule     awsevents.CfnRule
}

// NewAuditLog creates the log group (EventBridge requires the /aws/events/
// prefix), its resource policy for EventBridge, and the rule. The rule is
// an L1 because the L2 CloudWatch Logs target installs its resource policy
// with a custom-resource Lambda; AWS::Logs::ResourcePolicy needs none.
func NewAuditLog(scope constructs.Construct, id string, props *AuditLogProps) *AuditLog {
	c := constructs.NewConstruct(scope, jsii.String(id))
	lg := platform.NewLogGroup(c, "LogGroup", &platform.LogGroupProps{
		Name:          "/aws/events/" + names.Physical(props.Namespace, names.EventBus),
		Key:           props.Key,
		RetentionDays: props.LogRetentionDays,
		Mode:          props.Mode,
	})
	// Only the audit rule of this bus writes here; its ARN is built from
	// its name because the rule depends on this policy.
	stack := awscdk.Stack_Of(c)
	ruleName := names.Physical(props.Namespace, "AuditLog")
	ruleArn := fmt.Sprintf("arn:%s:events:%s:%s:rule/%s/%s", *stack.Partition(), *stack.Region(), props.HubAccountID,
		names.Physical(props.Namespace, names.EventBus), ruleName)
	write := func(service string, conditions map[string]any) awsiam.PolicyStatement {
		return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(service), nil)},
			Actions:    jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
			Resources:  &[]*string{lg.LogGroupArn()},
			Conditions: &conditions,
		})
	}
	sameAccount := map[string]any{"aws:SourceAccount": props.HubAccountID}
	policy := awslogs.NewResourcePolicy(c, jsii.String("EventBridgeWrites"), &awslogs.ResourcePolicyProps{
		PolicyStatements: &[]awsiam.PolicyStatement{
			write("events.amazonaws.com", map[string]any{"StringEquals": sameAccount, "ArnEquals": map[string]any{"aws:SourceArn": ruleArn}}),
			write("delivery.logs.amazonaws.com", map[string]any{"StringEquals": sameAccount}),
		},
	})
	rule := awsevents.NewCfnRule(c, jsii.String("Rule"), &awsevents.CfnRuleProps{
		Name:         jsii.String(ruleName),
		Description:  jsii.String("Copies every Innovation Sandbox event into the audit log group"),
		EventBusName: props.Bus.EventBusName(),
		EventPattern: map[string]any{"source": []any{map[string]any{"prefix": ""}}},
		State:        jsii.String("ENABLED"),
		Targets: []any{&awsevents.CfnRule_TargetProperty{
			Id:               jsii.String("AuditLogGroup"),
			Arn:              lg.LogGroupArn(),
			DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: props.DeadLetter.QueueArn()},
			RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
				MaximumRetryAttempts:     jsii.Number(20),
				MaximumEventAgeInSeconds: jsii.Number(24 * 60 * 60),
			},
		}},
	})
	rule.Node().AddDependency(policy)
	return &AuditLog{Construct: c, LogGroup: lg, Rule: rule}
}
