package platform

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// QueueProps configures a KMS-encrypted, SSL-only SQS queue.
type QueueProps struct {
	// Name is the queue name; empty lets CloudFormation name it. FIFO
	// names must end in ".fifo".
	Name string
	Key  awskms.IKey
	// Fifo makes a FIFO queue with content-based deduplication.
	Fifo bool
	// Retention defaults to 14 days, the maximum, so that nothing expires
	// before someone looks (upstream kept 4 hours).
	Retention awscdk.Duration
	// VisibilityTimeout defaults to 30 seconds.
	VisibilityTimeout awscdk.Duration
	// DeadLetter, when set, redrives messages after MaxReceiveCount.
	DeadLetter      awssqs.IQueue
	MaxReceiveCount int
	// IsDeadLetterQueue marks a queue that is itself a dead-letter queue;
	// only such a queue may have no DeadLetter of its own.
	IsDeadLetterQueue bool
}

// NewQueue creates the queue. A dead-letter queue is made with NewQueue
// too (IsDeadLetterQueue); cdk-nag's SQS3 finding on it is waived here
// because a DLQ does not need its own DLQ. Any other queue must have one.
func NewQueue(scope constructs.Construct, id string, props *QueueProps) awssqs.Queue {
	retention := props.Retention
	if retention == nil {
		retention = awscdk.Duration_Days(jsii.Number(14))
	}
	qp := &awssqs.QueueProps{
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: props.Key,
		DataKeyReuse:        awscdk.Duration_Hours(jsii.Number(1)),
		EnforceSSL:          jsii.Bool(true),
		RetentionPeriod:     retention,
		VisibilityTimeout:   props.VisibilityTimeout,
	}
	if props.Name != "" {
		qp.QueueName = jsii.String(props.Name)
	}
	if props.Fifo {
		qp.Fifo = jsii.Bool(true)
		qp.ContentBasedDeduplication = jsii.Bool(true)
	}
	if props.DeadLetter != nil {
		n := props.MaxReceiveCount
		if n == 0 {
			n = 5
		}
		qp.DeadLetterQueue = &awssqs.DeadLetterQueue{Queue: props.DeadLetter, MaxReceiveCount: jsii.Number(float64(n))}
	}
	if props.DeadLetter == nil && !props.IsDeadLetterQueue {
		panic("queue " + id + " needs a dead-letter queue")
	}
	q := awssqs.NewQueue(scope, jsii.String(id), qp)
	if props.IsDeadLetterQueue {
		Suppress(q, Suppression{Rule: "AwsSolutions-SQS3", Reason: "This queue is itself a dead-letter queue; it is alarmed on depth instead of redriven."})
	}
	return q
}

// TopicProps configures a KMS-encrypted, SSL-only SNS topic.
type TopicProps struct {
	Name string
	Key  awskms.IKey
}

// NewTopic creates the topic; publishing over plain HTTP is denied.
func NewTopic(scope constructs.Construct, id string, props *TopicProps) awssns.Topic {
	tp := &awssns.TopicProps{MasterKey: props.Key, EnforceSSL: jsii.Bool(true)}
	if props.Name != "" {
		tp.TopicName = jsii.String(props.Name)
	}
	return awssns.NewTopic(scope, jsii.String(id), tp)
}
