// Package scheduled deploys a Go function that EventBridge Scheduler runs
// on a schedule: the function (one instance at a time), the schedule with
// its flexible window and retry policy, the scheduler's own role that may
// invoke only this function, and a dead-letter queue for invocations the
// scheduler gave up on.
package scheduled

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsschedulertargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// JobProps configures a scheduled function.
type JobProps struct {
	Namespace string
	// Name is the function's directory under functions/ (and the asset
	// directory); ScheduleName is the schedule's base name from
	// common/names (Physical(ns, ScheduleName)).
	Name         string
	ScheduleName string
	Description  string
	// Schedule is when it runs, for example rate(1 hour).
	Schedule awsscheduler.ScheduleExpression
	// Window lets the scheduler start the run up to this late, spreading
	// load; nil runs on time.
	Window awscdk.Duration
	// RetryAttempts is how often the scheduler retries a failed start
	// (throttling, the function at its concurrency limit). The functions
	// are idempotent, so a retry is harmless.
	RetryAttempts int
	// Input is the JSON the function receives; nil sends "{}".
	Input map[string]any

	AssetDir    string
	MemoryMB    int
	Timeout     awscdk.Duration
	Environment map[string]string
	Key         awskms.IKey
	// LogRetentionDays and Mode configure the log group.
	LogRetentionDays int
	Mode             config.Mode
}

// Job is the deployed scheduled function.
type Job struct {
	constructs.Construct
	Function   *platform.GoFunction
	Schedule   awsscheduler.Schedule
	DeadLetter awssqs.Queue
}

// New creates the function, its schedule and the schedule's dead-letter
// queue. A run never overlaps the previous one: the function's reserved
// concurrency is 1 (a late retry waits for the running pass).
func New(scope constructs.Construct, id string, props *JobProps) *Job {
	c := constructs.NewConstruct(scope, jsii.String(id))
	j := &Job{Construct: c}
	j.Function = platform.NewGoFunction(c, "Function", &platform.GoFunctionProps{
		Name: props.Name, AssetDir: props.AssetDir, Description: props.Description,
		MemoryMB: props.MemoryMB, Timeout: props.Timeout, Environment: props.Environment,
		ReservedConcurrency: 1, Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	j.DeadLetter = platform.NewQueue(c, "DeadLetter", &platform.QueueProps{
		Name: names.Physical(props.Namespace, props.ScheduleName+"DLQ"), Key: props.Key, IsDeadLetterQueue: true,
	})
	input := props.Input
	if input == nil {
		input = map[string]any{}
	}
	window := awsscheduler.TimeWindow_Off()
	if props.Window != nil {
		window = awsscheduler.TimeWindow_Flexible(props.Window)
	}
	// The scheduler's own role: it may invoke this one function (CDK's
	// invoke grant covers the function and its version qualifiers).
	role := awsiam.NewRole(c, jsii.String("SchedulerRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Stack_Of(c).Account()}},
		}),
		Description: jsii.String("EventBridge Scheduler role that runs " + props.Name),
	})
	target := awsschedulertargets.NewLambdaInvoke(j.Function.Function, &awsschedulertargets.ScheduleTargetBaseProps{
		Role:            role,
		DeadLetterQueue: j.DeadLetter,
		Input:           awsscheduler.ScheduleTargetInput_FromObject(input),
		RetryAttempts:   jsii.Number(float64(props.RetryAttempts)),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(1)),
	})
	j.Schedule = awsscheduler.NewSchedule(c, jsii.String("Schedule"), &awsscheduler.ScheduleProps{
		ScheduleName: jsii.String(names.Physical(props.Namespace, props.ScheduleName)),
		Description:  jsii.String(props.Description),
		Schedule:     props.Schedule,
		Target:       target,
		TimeWindow:   window,
		Key:          props.Key,
	})
	// After the schedule: binding the target writes the role's policy.
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("lambda:InvokeFunction on <function ARN>:* covers the versions and aliases of this one function (CDK's invoke grant)."),
		AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<.*Function[0-9A-F]{8}\.Arn>:\*$/`)}},
	}}, jsii.Bool(true))
	return j
}
