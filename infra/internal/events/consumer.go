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
	"github.com/isb-go/isb/infra/internal/platform"
)

// ConsumerProps configures the route from the bus to a consuming function.
type ConsumerProps struct {
	Namespace string
	// QueueName is the queue's base name from common/names; the DLQ adds
	// "DLQ".
	QueueName   string
	Description string
	// DetailTypes are the events routed to the queue (a list from
	// common/names).
	DetailTypes []string
	Bus         awsevents.IEventBus
	// BusDeadLetter receives events the rule could not put on the queue.
	BusDeadLetter awssqs.IQueue
	Key           awskms.IKey
	// FunctionTimeoutSeconds sets the queue's visibility timeout to six
	// times the function timeout, as AWS advises for SQS event sources.
	FunctionTimeoutSeconds int
	// MaxReceiveCount is how often a message is tried before the DLQ.
	MaxReceiveCount int
}

// Consumer is a bus rule feeding an encrypted queue with a dead-letter
// queue.
type Consumer struct {
	Queue      awssqs.Queue
	DeadLetter awssqs.Queue
	Rule       awsevents.Rule
}

// NewConsumer creates the queue ("Queue"), its dead-letter queue
// ("DeadLetter") and the rule ("Rule") in scope, the consumer's own
// construct. Attach the consuming function with Attach.
func NewConsumer(c constructs.Construct, props *ConsumerProps) *Consumer {
	r := &Consumer{}
	r.DeadLetter = platform.NewQueue(c, "DeadLetter", &platform.QueueProps{
		Name: names.Physical(props.Namespace, props.QueueName+"DLQ"), Key: props.Key, IsDeadLetterQueue: true,
	})
	r.Queue = platform.NewQueue(c, "Queue", &platform.QueueProps{
		Name: names.Physical(props.Namespace, props.QueueName), Key: props.Key,
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(float64(6 * props.FunctionTimeoutSeconds))),
		DeadLetter:        r.DeadLetter, MaxReceiveCount: props.MaxReceiveCount,
	})
	r.Rule = NewRule(c, "Rule", props.Description, props.Bus, props.DetailTypes)
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
	return r
}

// Attach makes fn consume the queue in batches of batchSize, reporting
// failed messages one by one, with at most maxConcurrency instances.
func (r *Consumer) Attach(fn *platform.GoFunction, batchSize, maxConcurrency int) {
	fn.Function.AddEventSource(
		awslambdaeventsources.NewSqsEventSource(r.Queue, &awslambdaeventsources.SqsEventSourceProps{
			BatchSize:               jsii.Number(float64(batchSize)),
			MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(1)),
			ReportBatchItemFailures: jsii.Bool(true),
			MaxConcurrency:          jsii.Number(float64(maxConcurrency)),
		}),
	)
}
