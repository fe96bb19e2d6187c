// Package lifecycle deploys the account lifecycle manager: a bus rule that
// routes the lifecycle events (names.LifecycleDetailTypes) to an encrypted
// SQS queue with a dead-letter queue, and the function that consumes it in
// batches, reporting failed messages one by one.
package lifecycle

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// FunctionName is the directory of the function under functions/.
const FunctionName = "lifecycle"

// Sizing of the consumer. The queue's visibility timeout is six times the
// function timeout, as AWS advises for SQS event sources.
const (
	TimeoutSeconds = 60
	MemoryMB       = 256
	BatchSize      = 10
	// MaxConcurrency caps the function instances the queue drives, to stay
	// well inside the Organizations and SSO Admin rate limits; each
	// instance works on several accounts at once.
	MaxConcurrency = 5
	// MaxReceiveCount is how often a message is tried before the DLQ.
	MaxReceiveCount = 5
)

// Props configures the lifecycle manager.
type Props struct {
	Namespace string
	AssetDir  string
	Tables    api.Tables
	Bus       awsevents.IEventBus
	// BusDeadLetter receives events the rule could not put on the queue.
	BusDeadLetter awssqs.IQueue
	Key           awskms.IKey
	Config        *api.ConfigReader
	// AccountPoolParamArn and IdcConfigParamArn are the shared parameters
	// in the management and IDC accounts; IntermediateRoleArn is the hub
	// role assumed before the OrgMgt and IDC roles.
	AccountPoolParamArn string
	IdcConfigParamArn   string
	IntermediateRoleArn string
	HubAccountID        string
	LogRetentionDays    int
	Mode                config.Mode
}

// Manager is the deployed lifecycle manager.
type Manager struct {
	constructs.Construct
	Queue      awssqs.Queue
	DeadLetter awssqs.Queue
	Rule       awsevents.Rule
	Function   *platform.GoFunction
}

// New creates the queue, its DLQ, the rule and the function.
func New(scope constructs.Construct, id string, props *Props) *Manager {
	c := constructs.NewConstruct(scope, jsii.String(id))
	m := &Manager{Construct: c}
	m.DeadLetter = platform.NewQueue(c, "DeadLetter", &platform.QueueProps{
		Name: names.Physical(props.Namespace, names.LifecycleQueue+"DLQ"), Key: props.Key, IsDeadLetterQueue: true,
	})
	m.Queue = platform.NewQueue(c, "Queue", &platform.QueueProps{
		Name: names.Physical(props.Namespace, names.LifecycleQueue), Key: props.Key,
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(6 * TimeoutSeconds)),
		DeadLetter:        m.DeadLetter, MaxReceiveCount: MaxReceiveCount,
	})
	m.Rule = awsevents.NewRule(c, jsii.String("Rule"), &awsevents.RuleProps{
		EventBus:     props.Bus,
		Description:  jsii.String("Routes lease and account lifecycle events to the lifecycle manager"),
		EventPattern: &awsevents.EventPattern{DetailType: jsii.Strings(names.LifecycleDetailTypes...)},
	})
	m.Rule.AddTarget(awseventstargets.NewSqsQueue(m.Queue, &awseventstargets.SqsQueueProps{
		DeadLetterQueue: props.BusDeadLetter, RetryAttempts: jsii.Number(20), MaxEventAge: awscdk.Duration_Hours(jsii.Number(24)),
	}))

	t := props.Tables
	fn := platform.NewGoFunction(c, "Function", &platform.GoFunctionProps{
		Name: FunctionName, AssetDir: props.AssetDir,
		Description: "Account lifecycle manager: applies lease and account events to the tables, Organizations and Identity Center",
		MemoryMB:    MemoryMB, Timeout: awscdk.Duration_Seconds(jsii.Number(TimeoutSeconds)),
		Environment: map[string]string{
			names.EnvNamespace: props.Namespace, names.EnvLeaseTable: *t.Leases.TableName(),
			names.EnvAccountTable: *t.Accounts.TableName(), names.EnvOutboxTable: *t.Outbox.TableName(),
			names.EnvEventBus: *props.Bus.EventBusName(), names.EnvHubAccountID: props.HubAccountID,
			names.EnvAccountPoolParam: props.AccountPoolParamArn, names.EnvIdcConfigParam: props.IdcConfigParamArn,
		},
		Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	m.Function = fn
	t.Leases.GrantReadWriteData(fn.Role)
	t.Accounts.GrantReadWriteData(fn.Role)
	t.Outbox.GrantReadWriteData(fn.Role)
	props.Bus.GrantPutEventsTo(fn.Role, nil)
	props.Config.Grant(fn)
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ReadSharedParameters"), Actions: jsii.Strings("ssm:GetParameter"),
		Resources: jsii.Strings(props.AccountPoolParamArn, props.IdcConfigParamArn),
	}))
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("AssumeIntermediateRole"), Actions: jsii.Strings("sts:AssumeRole"),
		Resources: jsii.Strings(props.IntermediateRoleArn),
	}))
	fn.Function.AddEventSource(awslambdaeventsources.NewSqsEventSource(m.Queue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(BatchSize),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(1)),
		ReportBatchItemFailures: jsii.Bool(true),
		MaxConcurrency:          jsii.Number(MaxConcurrency),
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(fn.Role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("CDK table grants include the table's index ARNs (<table>/index/*) for the status-index queries, " +
			"and CDK KMS grants for the table and bus keys carry kms:GenerateDataKey*/ReEncrypt* on that one key."),
		AppliesTo: &[]any{
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::.*\/index\/\*$/`)},
			"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
		},
	}}, jsii.Bool(true))
	return m
}
