package events

import (
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
	policy := awslogs.NewResourcePolicy(c, jsii.String("EventBridgeWrites"), &awslogs.ResourcePolicyProps{
		PolicyStatements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Principals: &[]awsiam.IPrincipal{
				awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
				awsiam.NewServicePrincipal(jsii.String("delivery.logs.amazonaws.com"), nil),
			},
			Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
			Resources: &[]*string{lg.LogGroupArn()},
		})},
	})
	rule := awsevents.NewCfnRule(c, jsii.String("Rule"), &awsevents.CfnRuleProps{
		Name:         jsii.String(names.Physical(props.Namespace, "AuditLog")),
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
