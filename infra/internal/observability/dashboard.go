package observability

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
)

// DashboardProps configures the dashboard.
type DashboardProps struct {
	Namespace string
	Alarms    *Alarms
}

// NewDashboard creates the operations dashboard: alarm states, the pool's
// account counts and failures, and dead-letter queue depths.
func NewDashboard(scope constructs.Construct, id string, props *DashboardProps) awscloudwatch.Dashboard {
	ns := names.MetricNamespace(props.Namespace)
	metric := func(name, stat, label string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(ns), MetricName: jsii.String(name), Statistic: jsii.String(stat),
			Label: jsii.String(label), Period: awscdk.Duration_Minutes(jsii.Number(15)),
		})
	}
	var alarms []interfacesawscloudwatch.IAlarmRef
	for _, a := range props.Alarms.Alarms {
		alarms = append(alarms, a)
	}
	var depths []awscloudwatch.IMetric
	for _, q := range props.Alarms.DeadLetterQueues {
		depths = append(depths, q.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Statistic: jsii.String("Maximum"), Label: q.QueueName(),
		}))
	}
	d := awscloudwatch.NewDashboard(scope, jsii.String(id), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(names.Physical(props.Namespace, "Operations")),
	})
	d.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title: jsii.String("Alarms"), Alarms: &alarms, Width: jsii.Number(24), Height: jsii.Number(4),
	}))
	d.AddWidgets(
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("Pool accounts"), Width: jsii.Number(12),
			Left: &[]awscloudwatch.IMetric{
				metric(names.MetricAvailableAccounts, "Minimum", "Available"),
				metric(names.MetricQuarantinedAccounts, "Maximum", "Quarantined"),
			},
		}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("Failures"), Width: jsii.Number(12),
			Left: &[]awscloudwatch.IMetric{
				metric(names.MetricCleanupFailures, "Sum", "Cleanup failures"),
				metric(names.MetricAuthorizerErrors, "Sum", "Authorizer errors"),
			},
		}),
	)
	d.AddWidgets(awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String("Dead-letter queue depth"), Width: jsii.Number(24), Left: &depths,
	}))
	return d
}
