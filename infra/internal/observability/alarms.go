// Package observability holds the hub's alarms, their notification topic
// and the operations dashboard.
package observability

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/platform"
)

// AlarmsProps configures the alarms.
type AlarmsProps struct {
	Namespace    string
	HubAccountID string
	Key          awskms.IKey
	// AlarmEmail, when set, is subscribed to the topic (the address must
	// confirm the subscription).
	AlarmEmail string
	// MinFreeAccounts is the lowest acceptable number of Available
	// accounts.
	MinFreeAccounts int
}

// Alarms is the alarm topic and every alarm, in creation order.
type Alarms struct {
	constructs.Construct
	Topic  awssns.Topic
	Alarms []awscloudwatch.Alarm
	// DeadLetterQueues are the queues watched by AlarmOnDeadLetters.
	DeadLetterQueues []awssqs.IQueue
	namespace        string
}

// NewAlarms creates the topic and the alarms on the platform's custom
// metrics. No function publishes those metrics yet, so missing data is
// treated as OK; each alarm starts to mean something as soon as its
// publisher is deployed (lifecycle manager, drift monitor, cleaner,
// authorizer).
func NewAlarms(scope constructs.Construct, id string, props *AlarmsProps) *Alarms {
	c := constructs.NewConstruct(scope, jsii.String(id))
	topic := platform.NewTopic(c, "Topic", &platform.TopicProps{Name: names.Physical(props.Namespace, "Alarms"), Key: props.Key})
	props.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsToEncryptedTopic"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": props.HubAccountID}},
	}), jsii.Bool(true))
	if props.AlarmEmail != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(props.AlarmEmail), nil))
	}
	a := &Alarms{Construct: c, Topic: topic, namespace: props.Namespace}
	ns := names.MetricNamespace(props.Namespace)
	metric := func(name, stat string, period awscdk.Duration) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(ns), MetricName: jsii.String(name), Statistic: jsii.String(stat), Period: period,
		})
	}
	// The lease monitor publishes the pool gauges once an hour.
	gaugePeriod := awscdk.Duration_Hours(jsii.Number(1))
	a.add("FreeAccountsLow", &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String("Fewer accounts are Available than the pool needs to serve new leases"),
		Metric:             metric(names.MetricAvailableAccounts, "Minimum", gaugePeriod),
		Threshold:          jsii.Number(float64(props.MinFreeAccounts)),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(2),
	})
	a.add("AccountsQuarantined", &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String("At least one account is in Quarantine and needs an operator"),
		Metric:             metric(names.MetricQuarantinedAccounts, "Maximum", gaugePeriod),
		Threshold:          jsii.Number(0),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
	})
	a.atLeastOne("CleanupFailures", "An account cleanup (aws-nuke) failed",
		metric(names.MetricCleanupFailures, "Sum", awscdk.Duration_Hours(jsii.Number(1))))
	a.atLeastOne("AuthorizerErrors", "The API authorizer failed (not a denial): sign-in is broken",
		metric(names.MetricAuthorizerErrors, "Sum", awscdk.Duration_Minutes(jsii.Number(5))))
	return a
}

// AlarmOnDeadLetters raises an alarm as soon as a dead-letter queue holds
// a message.
func (a *Alarms) AlarmOnDeadLetters(id string, queue awssqs.IQueue) {
	a.DeadLetterQueues = append(a.DeadLetterQueues, queue)
	a.atLeastOne(id+"NotEmpty", "Dead-letter queue "+id+" holds undelivered messages",
		queue.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum"),
		}))
}

// AlarmOnFunctionErrors raises an alarm when a function fails (a
// scheduled run that errors, or one that times out).
func (a *Alarms) AlarmOnFunctionErrors(id string, fn awslambda.IFunction) {
	a.atLeastOne(id, "Function "+id+" failed", fn.MetricErrors(&awscloudwatch.MetricOptions{
		Period: awscdk.Duration_Hours(jsii.Number(1)), Statistic: jsii.String("Sum"),
	}))
}

// atLeastOne raises alarm id when one period of metric reaches 1.
func (a *Alarms) atLeastOne(id, description string, metric awscloudwatch.IMetric) {
	a.add(id, &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(description),
		Metric:             metric,
		Threshold:          jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
	})
}

func (a *Alarms) add(id string, props *awscloudwatch.AlarmProps) {
	props.AlarmName = jsii.String(names.Physical(a.namespace, id))
	props.TreatMissingData = awscloudwatch.TreatMissingData_NOT_BREACHING
	alarm := awscloudwatch.NewAlarm(a.Construct, jsii.String(id), props)
	action := awscloudwatchactions.NewSnsAction(a.Topic)
	alarm.AddAlarmAction(action)
	alarm.AddOkAction(action)
	a.Alarms = append(a.Alarms, alarm)
}
