// Package notify deploys the email notifier: a bus rule that routes the
// events that send email (names.EmailDetailTypes) to an encrypted queue
// with a dead-letter queue, and the function that sends them with SESv2,
// remembering what it sent in the Deliveries table.
package notify

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/events"
	"github.com/isb-go/isb/infra/internal/platform"
)

// MemoryMB is the function's memory.
const MemoryMB = 128

// Props configures the notifier.
type Props struct {
	events.Wiring
	HubAccountID string
	Region       string
	// Deliveries remembers sent messages (TTL), so a redelivered event
	// sends its email once.
	Deliveries awsdynamodb.ITable
	Config     *api.ConfigReader
	// IdcConfigParamArn names the admin and manager groups; the function
	// reads their members through the read-only IDC hop, which the Compute
	// stack grants (hub.NewHops).
	IdcConfigParamArn string
}

// New creates the queue, its DLQ, the rule and the function, sized by
// names.EmailConsumer (local mode runs the same).
func New(scope constructs.Construct, id string, props *Props) *events.Consumer {
	n := events.NewConsumer(scope, id, &events.ConsumerProps{
		Wiring: props.Wiring, Sizing: names.EmailConsumer,
		RuleDescription: "Routes the events that send email to the email notifier",
		Description:     "Email notifier: one SESv2 email per event and recipient group, at most 50 recipients each",
		MemoryMB:        MemoryMB,
		Environment: map[string]string{
			names.EnvNamespace: props.Namespace, names.EnvHubAccountID: props.HubAccountID,
			names.EnvIdcConfigParam: props.IdcConfigParamArn, names.EnvDeliveryTable: *props.Deliveries.TableName(),
		},
	})
	fn := n.Function
	props.Deliveries.GrantReadWriteData(fn.Role)
	props.Config.Grant(fn)
	fn.AllowParameters(props.IdcConfigParamArn)
	identities := fmt.Sprintf("arn:aws:ses:%s:%s:identity/*", props.Region, props.HubAccountID)
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("SendEmail"), Actions: jsii.Strings("ses:SendEmail"), Resources: jsii.Strings(identities),
	}))
	n.Attach()
	platform.Suppress(fn.Role, platform.Suppression{Rule: "AwsSolutions-IAM5",
		Reason: "The sender is notification.emailFrom in AppConfig, which changes without a deploy, so ses:SendEmail " +
			"covers the SES identities of this account and region only.",
		AppliesTo: []string{"Resource::" + identities}})
	return n
}
