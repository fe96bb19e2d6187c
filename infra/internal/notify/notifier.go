// Package notify deploys the email notifier: a bus rule that routes the
// events that send email (names.EmailDetailTypes) to an encrypted queue
// with a dead-letter queue, and the function that sends them with SESv2,
// remembering what it sent in the Deliveries table.
package notify

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/events"
	"github.com/isb-go/isb/infra/internal/platform"
)

// MemoryMB is the function's memory.
const MemoryMB = 128

// Sizing of the consumer, from names.EmailConsumer (local mode runs the
// same).
var (
	TimeoutSeconds  = names.EmailConsumer.TimeoutSeconds
	BatchSize       = names.EmailConsumer.BatchSize
	MaxConcurrency  = names.EmailConsumer.MaxConcurrency
	MaxReceiveCount = names.EmailConsumer.MaxReceiveCount
)

// Props configures the notifier.
type Props struct {
	Namespace    string
	HubAccountID string
	Region       string
	AssetDir     string
	// Deliveries remembers sent messages (TTL), so a redelivered event
	// sends its email once.
	Deliveries awsdynamodb.ITable
	Bus        awsevents.IEventBus
	// BusDeadLetter receives events the rule could not put on the queue.
	BusDeadLetter awssqs.IQueue
	Key           awskms.IKey
	Config        *api.ConfigReader
	// IdcConfigParamArn names the admin and manager groups; the function
	// reads their members through the read-only IDC hop, which the Compute
	// stack grants (hub.NewHops).
	IdcConfigParamArn string
	LogRetentionDays  int
	Mode              config.Mode
}

// Notifier is the deployed email notifier.
type Notifier struct {
	constructs.Construct
	Queue      awssqs.Queue
	DeadLetter awssqs.Queue
	Rule       awsevents.Rule
	Function   *platform.GoFunction
}

// New creates the queue, its DLQ, the rule and the function.
func New(scope constructs.Construct, id string, props *Props) *Notifier {
	c := constructs.NewConstruct(scope, jsii.String(id))
	route := events.NewConsumer(c, &events.ConsumerProps{
		Namespace: props.Namespace, QueueName: names.EmailQueue,
		Description: "Routes the events that send email to the email notifier",
		DetailTypes: names.EmailDetailTypes, Bus: props.Bus, BusDeadLetter: props.BusDeadLetter, Key: props.Key,
		FunctionTimeoutSeconds: TimeoutSeconds, MaxReceiveCount: MaxReceiveCount,
	})
	fn := platform.NewGoFunction(c, "Function", &platform.GoFunctionProps{
		Name: names.LambdaEmailNotifier, AssetDir: props.AssetDir,
		Description: "Email notifier: one SESv2 email per event and recipient group, at most 50 recipients each",
		MemoryMB:    MemoryMB, Timeout: awscdk.Duration_Seconds(jsii.Number(TimeoutSeconds)),
		Environment: map[string]string{
			names.EnvNamespace: props.Namespace, names.EnvHubAccountID: props.HubAccountID,
			names.EnvIdcConfigParam: props.IdcConfigParamArn, names.EnvDeliveryTable: *props.Deliveries.TableName(),
		},
		Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	props.Deliveries.GrantReadWriteData(fn.Role)
	props.Config.Grant(fn)
	fn.AllowParameters(props.IdcConfigParamArn)
	identities := fmt.Sprintf("arn:aws:ses:%s:%s:identity/*", props.Region, props.HubAccountID)
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("SendEmail"), Actions: jsii.Strings("ses:SendEmail"), Resources: jsii.Strings(identities),
	}))
	route.Attach(fn, BatchSize, MaxConcurrency)
	fn.SuppressGrantWildcards()
	platform.Suppress(fn.Role, platform.Suppression{Rule: "AwsSolutions-IAM5",
		Reason: "The sender is notification.emailFrom in AppConfig, which changes without a deploy, so ses:SendEmail " +
			"covers the SES identities of this account and region only.",
		AppliesTo: []string{"Resource::" + identities}})
	return &Notifier{Construct: c, Queue: route.Queue, DeadLetter: route.DeadLetter, Rule: route.Rule, Function: fn}
}
