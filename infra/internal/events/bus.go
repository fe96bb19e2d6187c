// Package events holds the hub's event backbone: the KMS-encrypted
// EventBridge bus with its archive and dead-letter queue, and the audit
// rule that copies every event into a log group.
package events

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/platform"
)

// BusProps configures the bus.
type BusProps struct {
	Namespace    string
	HubAccountID string
	Key          awskms.IKey
	// ArchiveRetentionDays keeps every event of the account for replay.
	ArchiveRetentionDays int
}

// Bus is the event bus, its archive and the dead-letter queue that takes
// events the bus or a rule target could not deliver.
type Bus struct {
	constructs.Construct
	Bus        awsevents.EventBus
	Archive    awsevents.CfnArchive
	DeadLetter awssqs.Queue
}

// NewBus creates the bus. Upstream had no archive and no alarm on its
// DLQ; here every event is archived (replayable after a consumer bug) and
// the DLQ is alarmed by the observability construct.
func NewBus(scope constructs.Construct, id string, props *BusProps) *Bus {
	c := constructs.NewConstruct(scope, jsii.String(id))
	dlq := platform.NewQueue(c, "DeadLetterQueue", &platform.QueueProps{
		Name:              names.Physical(props.Namespace, names.EventBus+"-DLQ"),
		Key:               props.Key,
		IsDeadLetterQueue: true,
	})
	bus := awsevents.NewEventBus(c, jsii.String("Bus"), &awsevents.EventBusProps{
		EventBusName:    jsii.String(names.Physical(props.Namespace, names.EventBus)),
		Description:     jsii.String("Innovation Sandbox events"),
		KmsKey:          props.Key,
		DeadLetterQueue: dlq,
	})
	stack := awscdk.Stack_Of(c)
	// EventBridge writes to the KMS-encrypted DLQ on behalf of this
	// account's bus and rules.
	props.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowEventBridgeToDeadLetterQueues"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{
				"aws:SourceAccount": props.HubAccountID,
				"kms:ViaService":    fmt.Sprintf("sqs.%s.amazonaws.com", *stack.Region()),
			},
		},
	}), jsii.Bool(true))
	// The bus itself and its rules, no other bus or rule of the account.
	busName := names.Physical(props.Namespace, names.EventBus)
	AllowEventBridge(dlq,
		fmt.Sprintf("arn:%s:events:%s:%s:event-bus/%s", *stack.Partition(), *stack.Region(), props.HubAccountID, busName),
		fmt.Sprintf("arn:%s:events:%s:%s:rule/%s/*", *stack.Partition(), *stack.Region(), props.HubAccountID, busName))
	// The archive is an L1: the L2 adds a key policy statement that
	// references the bus by GetAtt, which makes key → bus → DLQ → key a
	// dependency cycle. The ARN built from the bus name breaks it.
	busArnByName := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("events"), Resource: jsii.String("event-bus"),
		ResourceName: jsii.String(names.Physical(props.Namespace, names.EventBus)),
	})
	props.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowEventBridgeArchive"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{
			"aws:SourceAccount": props.HubAccountID,
			"kms:EncryptionContext:aws:events:event-bus:arn": busArnByName,
		}},
	}), jsii.Bool(true))
	props.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowEventBridgeDescribeKey"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:DescribeKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": props.HubAccountID}},
	}), jsii.Bool(true))
	archive := awsevents.NewCfnArchive(c, jsii.String("Archive"), &awsevents.CfnArchiveProps{
		ArchiveName:      jsii.String(names.Physical(props.Namespace, names.EventBus+"-Archive")),
		Description:      jsii.String("Every Innovation Sandbox event, for replay"),
		SourceArn:        bus.EventBusArn(),
		EventPattern:     map[string]any{"account": []any{props.HubAccountID}},
		RetentionDays:    jsii.Number(float64(props.ArchiveRetentionDays)),
		KmsKeyIdentifier: props.Key.KeyArn(),
	})
	return &Bus{Construct: c, Bus: bus, Archive: archive, DeadLetter: dlq}
}

// AllowEventBridge lets EventBridge resources matching sourceArnPatterns
// (the bus, or rules) send to queue.
func AllowEventBridge(queue awssqs.IQueue, sourceArnPatterns ...string) {
	queue.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowEventBridge"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  &[]*string{queue.QueueArn()},
		Conditions: &map[string]any{"ArnLike": map[string]any{"aws:SourceArn": toAny(sourceArnPatterns)}},
	}))
}
