package events

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// Wiring is what every bus consumer is built from: the hub's bus and its
// dead-letter queue, the key and where the function's code and logs go.
type Wiring struct {
	Namespace string
	AssetDir  string
	Bus       awsevents.IEventBus
	// BusDeadLetter receives events the rule could not put on the queue.
	BusDeadLetter awssqs.IQueue
	// Key encrypts the queues and the function's log group.
	Key              awskms.IKey
	LogRetentionDays int
	Mode             config.Mode
}

// ConsumerProps configures a function fed from the bus through its own
// queue.
type ConsumerProps struct {
	Wiring
	// Sizing names the function and its queue (the DLQ adds "DLQ"), the
	// events routed to it (a list from common/names) and how it consumes
	// them. The queue's visibility timeout is six times the function
	// timeout, as AWS advises for SQS event sources.
	Sizing names.Consumer
	// RuleDescription describes the bus rule.
	RuleDescription string
	// Description, MemoryMB and Environment configure the function.
	Description string
	MemoryMB    int
	Environment map[string]string
}

// Consumer is a bus rule feeding an encrypted queue with a dead-letter
// queue, and the function that consumes the queue.
type Consumer struct {
	constructs.Construct
	Queue      awssqs.Queue
	DeadLetter awssqs.Queue
	Rule       awsevents.Rule
	Function   *platform.GoFunction
	sizing     names.Consumer
}

// NewConsumer creates the queue ("Queue"), its dead-letter queue
// ("DeadLetter"), the rule ("Rule") and the function ("Function") in a
// construct of its own. The function consumes nothing until Attach.
func NewConsumer(scope constructs.Construct, id string, props *ConsumerProps) *Consumer {
	c := constructs.NewConstruct(scope, jsii.String(id))
	r := &Consumer{Construct: c, sizing: props.Sizing}
	timeout := props.Sizing.TimeoutSeconds
	r.DeadLetter = platform.NewQueue(c, "DeadLetter", &platform.QueueProps{
		Name: names.Physical(props.Namespace, props.Sizing.Queue+"DLQ"), Key: props.Key, IsDeadLetterQueue: true,
	})
	r.Queue = platform.NewQueue(c, "Queue", &platform.QueueProps{
		Name: names.Physical(props.Namespace, props.Sizing.Queue), Key: props.Key,
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(float64(6 * timeout))),
		DeadLetter:        r.DeadLetter, MaxReceiveCount: props.Sizing.MaxReceiveCount,
	})
	r.Rule = NewRule(c, "Rule", props.RuleDescription, props.Bus, props.Sizing.DetailTypes)
	// The target is set on the CfnRule: the L2 SQS target leaves the
	// aws:SourceArn condition out of the queue policy when the queue is
	// KMS-encrypted, which would let any rule in the account feed it.
	cfn := r.Rule.Node().DefaultChild().(awsevents.CfnRule)
	cfn.AddPropertyOverride(jsii.String("Targets"), []any{map[string]any{
		"Id": "Queue", "Arn": r.Queue.QueueArn(),
		"DeadLetterConfig": map[string]any{"Arn": props.BusDeadLetter.QueueArn()},
		"RetryPolicy":      map[string]any{"MaximumRetryAttempts": 20, "MaximumEventAgeInSeconds": 24 * 60 * 60},
	}})
	AllowEventBridge(r.Queue, *r.Rule.RuleArn())
	r.Function = platform.NewGoFunction(c, "Function", &platform.GoFunctionProps{
		Name: props.Sizing.Function, AssetDir: props.AssetDir, Description: props.Description,
		MemoryMB: props.MemoryMB, Timeout: awscdk.Duration_Seconds(jsii.Number(float64(timeout))),
		Environment: props.Environment,
		Key:         props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	return r
}

// Attach makes the function consume the queue in batches, reporting failed
// messages one by one, with bounded concurrency (all from Sizing), and
// waives the wildcards CDK's grants write. Call it after the function's
// own grants, so its policy lists them first.
func (r *Consumer) Attach() {
	r.Function.Function.AddEventSource(
		awslambdaeventsources.NewSqsEventSource(r.Queue, &awslambdaeventsources.SqsEventSourceProps{
			BatchSize:               jsii.Number(float64(r.sizing.BatchSize)),
			MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(1)),
			ReportBatchItemFailures: jsii.Bool(true),
			MaxConcurrency:          jsii.Number(float64(r.sizing.MaxConcurrency)),
		}),
	)
	r.Function.SuppressGrantWildcards()
}
