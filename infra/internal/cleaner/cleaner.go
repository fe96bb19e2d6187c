// Package cleaner is the account cleaner's infrastructure: the cleanup
// state machine (its definition comes from common/cleanup, the same Go
// source the emulator tests run), the CodeBuild project that runs the
// pinned aws-nuke through isb-cleaner, the build queue and the worker that
// starts builds, the rule CleanAccountRequest → state machine, and the
// watchdog.
package cleaner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	isbevents "github.com/isb-go/isb/infra/internal/events"
	"github.com/isb-go/isb/infra/internal/platform"
)

// BuildAssetName is the directory under the asset directory that `make
// cleaner-bundle` fills with the linux/amd64 isb-cleaner and aws-nuke.
const BuildAssetName = "cleanup-build"

// Timeouts. A build runs every pass of one cleanup (at most
// successes+failures passes of passTimeoutMinutes each, 30 by default).
// Before it starts, a request may wait on the build queue while the
// account's concurrent-build quota is reached (the worker puts it back
// with a delay; a mass termination queues many); the state machine waits
// for the build's answer that long plus the build, and the watchdog stops
// an execution older than that.
const (
	BuildTimeoutMinutes = 240
	// QuotaQueueingMinutes is how long a cleanup may wait for a build slot.
	QuotaQueueingMinutes = 360
	// StateWaitSeconds is the state machine's wait for the build's answer.
	StateWaitSeconds = (QuotaQueueingMinutes + BuildTimeoutMinutes + 15) * 60
	// WatchdogMaxAgeMinutes exceeds the state machine's own timeout.
	WatchdogMaxAgeMinutes = QuotaQueueingMinutes + BuildTimeoutMinutes + 90
)

// Props configures the cleaner.
type Props struct {
	Namespace                                   string
	HubAccountID, OrgMgtAccountID, IdcAccountID string
	Bus                                         awsevents.IEventBus
	// BusDeadLetter receives events the rules could not deliver.
	BusDeadLetter awssqs.IQueue
	// Key encrypts queues, logs and the build.
	Key awskms.IKey
	// AppConfigApplicationID, AppConfigEnvironmentID and the profile ids
	// (global and nuke configuration) come from the Data stack: the build
	// may read exactly those.
	AppConfigApplicationID, AppConfigEnvironmentID string
	AppConfigProfileIDs                            []string
	// TableKeyArn is the Data stack's key of the account and outbox tables.
	TableKeyArn string
	// AssetDir holds the functions and cleanup-build/; RepoRoot holds
	// tools/aws-nuke/aws-nuke.sha256.
	AssetDir, RepoRoot string
	LogRetentionDays   int
	Mode               config.Mode
}

// Cleaner is the deployed cleaner.
type Cleaner struct {
	constructs.Construct
	StateMachine awsstepfunctions.StateMachine
	Project      awscodebuild.Project
	BuildQueue   awssqs.Queue
	// BuildDeadLetter holds build requests the worker could not start.
	BuildDeadLetter awssqs.Queue
	Worker          *platform.GoFunction
	Watchdog        *platform.GoFunction
}

// NukeSHA256 reads the pinned aws-nuke sha256 (tools/aws-nuke/aws-nuke.sha256).
func NukeSHA256(repoRoot string) string {
	b, err := os.ReadFile(filepath.Join(repoRoot, "tools", "aws-nuke", "aws-nuke.sha256"))
	if err != nil {
		panic(fmt.Sprintf("aws-nuke pin: %v", err))
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#") {
			return f[0]
		}
	}
	panic("aws-nuke pin: no sha256 line in tools/aws-nuke/aws-nuke.sha256")
}

// New creates the cleaner.
func New(scope constructs.Construct, id string, props *Props) *Cleaner {
	node := constructs.NewConstruct(scope, jsii.String(id))
	c := &Cleaner{Construct: node}
	stack := awscdk.Stack_Of(node)
	accountTableArn := fmt.Sprintf(
		"arn:%s:dynamodb:%s:%s:table/%s",
		*stack.Partition(),
		*stack.Region(),
		props.HubAccountID,
		names.Physical(props.Namespace, names.AccountTable),
	)
	outboxTableArn := fmt.Sprintf(
		"arn:%s:dynamodb:%s:%s:table/%s",
		*stack.Partition(),
		*stack.Region(),
		props.HubAccountID,
		names.Physical(props.Namespace, names.OutboxTable),
	)
	stateMachineName := names.Physical(props.Namespace, names.CleanupStateMachine)
	stateMachineArn := fmt.Sprintf(
		"arn:%s:states:%s:%s:stateMachine:%s",
		*stack.Partition(),
		*stack.Region(),
		props.HubAccountID,
		stateMachineName,
	)
	executionsArn := fmt.Sprintf(
		"arn:%s:states:%s:%s:execution:%s:*",
		*stack.Partition(),
		*stack.Region(),
		props.HubAccountID,
		stateMachineName,
	)

	// The build queue and its worker.
	worker := names.CleanupWorkerConsumer
	buildDLQ := platform.NewQueue(
		node,
		"BuildDeadLetter",
		&platform.QueueProps{Key: props.Key, IsDeadLetterQueue: true},
	)
	c.BuildDeadLetter = buildDLQ
	c.BuildQueue = platform.NewQueue(node, "BuildQueue", &platform.QueueProps{
		Name: names.Physical(props.Namespace, names.CleanupBuildQueue), Key: props.Key,
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(float64(6 * worker.TimeoutSeconds))),
		DeadLetter:        buildDLQ, MaxReceiveCount: worker.MaxReceiveCount,
	})
	c.Project = newProject(node, props, stateMachineArn)
	c.Worker = platform.NewGoFunction(node, "Worker", &platform.GoFunctionProps{
		Name: names.LambdaCleanupWorker, AssetDir: props.AssetDir, Description: "Starts the aws-nuke CodeBuild build for a cleanup",
		Environment: map[string]string{names.EnvCleanupProject: *c.Project.ProjectName(),
			names.EnvCleanupBuildQueueURL: *c.BuildQueue.QueueUrl()},
		Timeout: awscdk.Duration_Seconds(jsii.Number(float64(worker.TimeoutSeconds))),
		Key:     props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	c.Worker.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("codebuild:StartBuild"), Resources: &[]*string{c.Project.ProjectArn()},
	}))
	// A request refused by CodeBuild's concurrent-build quota goes back to
	// the build queue, delayed; the worker may send to that queue only.
	c.Worker.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("PutBackRefusedBuilds"), Actions: jsii.Strings("sqs:SendMessage"),
		Resources: &[]*string{c.BuildQueue.QueueArn()},
	}))
	c.Worker.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("BuildQueueKeyThroughSQS"), Actions: jsii.Strings("kms:GenerateDataKey"),
		Resources: &[]*string{props.Key.KeyArn()},
		Conditions: &map[string]any{"StringEquals": map[string]any{
			"kms:ViaService": "sqs." + *stack.Region() + ".amazonaws.com",
		}},
	}))
	c.Worker.Function.AddEventSource(
		awslambdaeventsources.NewSqsEventSource(c.BuildQueue, &awslambdaeventsources.SqsEventSourceProps{
			BatchSize:               jsii.Number(float64(worker.BatchSize)),
			MaxConcurrency:          jsii.Number(float64(worker.MaxConcurrency)),
			ReportBatchItemFailures: jsii.Bool(true),
		}),
	)

	// The state machine.
	def, err := cleanup.Definition(cleanup.DefinitionInput{
		AccountTable: names.Physical(
			props.Namespace,
			names.AccountTable,
		), OutboxTable: names.Physical(props.Namespace, names.OutboxTable),
		EventBus: *props.Bus.EventBusName(), BuildQueueURL: *c.BuildQueue.QueueUrl(), ProtectedAccounts: []string{
			props.HubAccountID, props.OrgMgtAccountID, props.IdcAccountID},
		BuildTimeoutSeconds: StateWaitSeconds, MetricNamespace: names.MetricNamespace(props.Namespace),
	})
	if err != nil {
		panic(err)
	}
	logs := platform.NewLogGroup(node, "StateMachineLogs", &platform.LogGroupProps{
		Name: "/aws/vendedlogs/states/" + stateMachineName, Key: props.Key, RetentionDays: props.LogRetentionDays,
		Mode: props.Mode,
	})
	c.StateMachine = awsstepfunctions.NewStateMachine(
		node,
		jsii.String("StateMachine"),
		&awsstepfunctions.StateMachineProps{
			StateMachineName: jsii.String(stateMachineName),
			DefinitionBody:   awsstepfunctions.DefinitionBody_FromString(jsii.String(def)),
			StateMachineType: awsstepfunctions.StateMachineType_STANDARD,
			Timeout:          awscdk.Duration_Seconds(jsii.Number(StateWaitSeconds + 1800)),
			TracingEnabled:   jsii.Bool(true),
			Logs: &awsstepfunctions.LogOptions{
				Destination: logs, Level: awsstepfunctions.LogLevel_ALL, IncludeExecutionData: jsii.Bool(true),
			},
		},
	)
	role := c.StateMachine.Role()
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(
			"AccountTable",
		), Actions: jsii.Strings("dynamodb:GetItem", "dynamodb:UpdateItem"), Resources: jsii.Strings(accountTableArn),
	}))
	// A run's outcome and its event are one transaction; the record is
	// removed once published.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(
			"OutboxTable",
		), Actions: jsii.Strings("dynamodb:PutItem", "dynamodb:DeleteItem"), Resources: jsii.Strings(outboxTableArn),
	}))
	role.AddToPrincipalPolicy(tableKeyStatement(stack, props.TableKeyArn))
	isbevents.GrantPut(props.Bus, role, isbevents.EmitsAll(names.SourceCleaner))
	c.BuildQueue.GrantSendMessages(role)
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(
			"FailureMetric",
		), Actions: jsii.Strings("cloudwatch:PutMetricData"), Resources: jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"cloudwatch:namespace": names.MetricNamespace(props.Namespace)},
		},
	}))
	platform.Suppress(c.StateMachine, platform.Suppression{
		Rule: "AwsSolutions-IAM5",
		Reason: "cloudwatch:PutMetricData has no resource type (it is limited to the platform's namespace by condition); X-Ray and log delivery need Resource *; " +
			"the key grants of the bus and queue carry GenerateDataKey*/ReEncrypt*.",
		AppliesTo: []string{"Resource::*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"},
	})

	// CleanAccountRequest → state machine, with retries and the bus DLQ.
	rule := isbevents.NewRule(
		node,
		"CleanAccountRequest",
		"Starts a cleanup for every CleanAccountRequest",
		props.Bus,
		[]string{names.CleanAccountRequest},
	)
	rule.AddTarget(awseventstargets.NewSfnStateMachine(c.StateMachine, &awseventstargets.SfnStateMachineProps{
		DeadLetterQueue: props.BusDeadLetter, RetryAttempts: jsii.Number(20), MaxEventAge: awscdk.Duration_Hours(
			jsii.Number(24)),
	}))

	c.Watchdog = newWatchdog(node, props, stateMachineArn, executionsArn, accountTableArn, outboxTableArn)
	return c
}

// tableKeyStatement lets a role use the Data stack's table key, only
// through DynamoDB.
func tableKeyStatement(stack awscdk.Stack, keyArn string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("TableKeyThroughDynamoDB"),
		Actions:   jsii.Strings("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"),
		Resources: jsii.Strings(keyArn),
		Conditions: &map[string]any{"StringEquals": map[string]any{
			"kms:ViaService": "dynamodb." + *stack.Region() + ".amazonaws.com",
		}},
	})
}

// newProject creates the CodeBuild project. Its source is the bundle of
// isb-cleaner and the pinned aws-nuke; the buildspec checks aws-nuke's
// sha256 before anything else, fetches the deployed nuke and global
// configurations from AppConfig, and runs isb-cleaner, which answers the
// state machine's task token itself.
func newProject(c constructs.Construct, props *Props, stateMachineArn string) awscodebuild.Project {
	dir := filepath.Join(props.AssetDir, BuildAssetName)
	if _, err := os.Stat(dir); err != nil {
		panic(fmt.Sprintf("cleanup build bundle not found at %s: run `make cleaner-bundle` first (%v)", dir, err))
	}
	sha := NukeSHA256(props.RepoRoot)
	asset := awss3assets.NewAsset(c, jsii.String("BuildBundle"), &awss3assets.AssetProps{Path: jsii.String(dir)})
	logs := platform.NewLogGroup(
		c,
		"BuildLogs",
		&platform.LogGroupProps{Key: props.Key, RetentionDays: props.LogRetentionDays, Mode: props.Mode},
	)
	app := names.Physical(props.Namespace, names.AppConfigApplication)
	fetch := func(profile, file string) string {
		return fmt.Sprintf(
			"aws appconfigdata get-latest-configuration --configuration-token \"$(aws appconfigdata start-configuration-session "+
				"--application-identifier %s --environment-identifier %s --configuration-profile-identifier %s "+
				"--query InitialConfigurationToken --output text)\" %s > /dev/null",
			app,
			names.AppConfigEnvironment,
			profile,
			file,
		)
	}
	buildspec := map[string]any{
		"version": "0.2",
		"phases": map[string]any{"build": map[string]any{"commands": []string{
			`echo "$` + names.EnvAwsNukeSHA256 + `  aws-nuke" | sha256sum -c -`,
			"chmod +x aws-nuke isb-cleaner",
			fetch(names.NukeConfigProfile, "nuke-config.yaml"),
			fetch(names.GlobalConfigProfile, "global-config.yaml"),
			"./isb-cleaner",
		}}},
	}
	env := map[string]string{
		names.EnvNamespace: props.Namespace, names.EnvHubAccountID: props.HubAccountID,
		names.EnvManagementAccountID: props.OrgMgtAccountID, names.EnvIdcAccountID: props.IdcAccountID,
		names.EnvAwsNukeBinary: "./aws-nuke", names.EnvAwsNukeSHA256: sha,
		names.EnvNukeConfigFile: "nuke-config.yaml", names.EnvGlobalConfigFile: "global-config.yaml",
	}
	vars := map[string]*awscodebuild.BuildEnvironmentVariable{}
	for k, v := range env {
		vars[k] = &awscodebuild.BuildEnvironmentVariable{Value: jsii.String(v)}
	}
	p := awscodebuild.NewProject(c, jsii.String("Project"), &awscodebuild.ProjectProps{
		ProjectName: jsii.String(names.Physical(props.Namespace, names.CleanupProject)),
		Description: jsii.String("Runs the pinned aws-nuke against one sandbox account (isb-cleaner)"),
		Source: awscodebuild.Source_S3(
			&awscodebuild.S3SourceProps{Bucket: asset.Bucket(), Path: asset.S3ObjectKey()},
		),
		BuildSpec: awscodebuild.BuildSpec_FromObjectToYaml(&buildspec),
		Environment: &awscodebuild.BuildEnvironment{
			BuildImage:  awscodebuild.LinuxBuildImage_STANDARD_7_0(),
			ComputeType: awscodebuild.ComputeType_SMALL,
			Privileged:  jsii.Bool(false),
		},
		EnvironmentVariables: &vars,
		EncryptionKey:        props.Key,
		Timeout:              awscdk.Duration_Minutes(jsii.Number(BuildTimeoutMinutes)),
		ConcurrentBuildLimit: jsii.Number(20),
		Logging: &awscodebuild.LoggingOptions{
			CloudWatch: &awscodebuild.CloudWatchLoggingOptions{LogGroup: logs},
		},
	})
	role := p.Role()
	// The build reaches sandbox accounts only through the sandbox hop,
	// which the Compute stack grants to BuildRole (hub.NewHops).
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(
			"AnswerTheStateMachine",
		), Actions: jsii.Strings("states:SendTaskSuccess", "states:SendTaskFailure"),
		Resources: jsii.Strings(stateMachineArn),
	}))
	var profiles []*string
	for _, id := range props.AppConfigProfileIDs {
		profiles = append(
			profiles,
			jsii.String(fmt.Sprintf("arn:%s:appconfig:%s:%s:application/%s/environment/%s/configuration/%s",
				*awscdk.Stack_Of(c).Partition(), *awscdk.Stack_Of(c).Region(), props.HubAccountID,
				props.AppConfigApplicationID, props.AppConfigEnvironmentID, id)),
		)
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadConfiguration"),
		Actions:   jsii.Strings("appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"),
		Resources: &profiles,
	}))
	platform.Suppress(p, platform.Suppression{
		Rule:   "AwsSolutions-IAM5",
		Reason: "The asset and log grants CDK adds are scoped to the asset object and the build's log group.",
	})
	return p
}

// newWatchdog creates the watchdog and its two triggers: the state
// machine's status changes (FAILED, TIMED_OUT, ABORTED) and a schedule.
func newWatchdog(
	c constructs.Construct,
	props *Props,
	stateMachineArn, executionsArn, accountTableArn, outboxTableArn string,
) *platform.GoFunction {
	f := platform.NewGoFunction(c, "Watchdog", &platform.GoFunctionProps{
		Name: names.LambdaCleanupWatchdog, AssetDir: props.AssetDir,
		Description: "Reports cleanups that ended without reporting as AccountCleanupFailed",
		Timeout:     awscdk.Duration_Minutes(jsii.Number(5)), ReservedConcurrency: 1,
		Environment: map[string]string{
			names.EnvNamespace: props.Namespace, names.EnvEventBus: *props.Bus.EventBusName(),
			names.EnvAccountTable: names.Physical(
				props.Namespace,
				names.AccountTable,
			), names.EnvOutboxTable: names.Physical(props.Namespace, names.OutboxTable),
			names.EnvWatchdogMaxAgeMinutes: fmt.Sprint(WatchdogMaxAgeMinutes),
		},
		Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	f.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(
			"Tables",
		), Actions: jsii.Strings(
			"dynamodb:GetItem",
			"dynamodb:Query",
			"dynamodb:ConditionCheckItem",
			"dynamodb:PutItem",
			"dynamodb:UpdateItem",
			"dynamodb:DeleteItem",
			"dynamodb:BatchWriteItem",
			"dynamodb:Scan",
		),
		Resources: jsii.Strings(accountTableArn, accountTableArn+"/index/"+names.StatusIndex, outboxTableArn),
	}))
	f.Role.AddToPolicy(tableKeyStatement(awscdk.Stack_Of(c), props.TableKeyArn))
	f.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(
			"Executions",
		), Actions: jsii.Strings("states:DescribeExecution", "states:StopExecution"), Resources: jsii.Strings(
			executionsArn),
	}))
	// A run found dead is retried (CleanAccountRequest, as the API's retry).
	isbevents.GrantPut(
		props.Bus,
		f.Role,
		isbevents.EmitsAll(names.SourceCleaner).And(names.SourceAPI, names.CleanAccountRequest),
	)
	platform.Suppress(f.Role, platform.Suppression{
		Rule: "AwsSolutions-IAM5",
		Reason: "Executions of the one cleanup state machine are matched by name (execution:isb-<ns>-Cleanup:*); " +
			"the bus key grant carries GenerateDataKey*/ReEncrypt*.",
		AppliesTo: []string{
			"Resource::" + strings.Replace(executionsArn, *awscdk.Stack_Of(c).Partition(), "<AWS::Partition>", 1),
			"Action::kms:GenerateDataKey*",
			"Action::kms:ReEncrypt*",
		},
	})

	target := awseventstargets.NewLambdaFunction(f.Function, &awseventstargets.LambdaFunctionProps{
		DeadLetterQueue: props.BusDeadLetter, RetryAttempts: jsii.Number(10), MaxEventAge: awscdk.Duration_Hours(
			jsii.Number(6)),
	})
	status := awsevents.NewRule(c, jsii.String("ExecutionEnded"), &awsevents.RuleProps{
		Description: jsii.String("Cleanup executions that failed, timed out or were aborted"),
		EventPattern: &awsevents.EventPattern{
			Source: jsii.Strings("aws.states"), DetailType: jsii.Strings("Step Functions Execution Status Change"),
			Detail: &map[string]any{
				"status":          []string{"FAILED", "TIMED_OUT", "ABORTED"},
				"stateMachineArn": []string{stateMachineArn},
			},
		},
	})
	status.AddTarget(target)
	sweep := awsevents.NewRule(c, jsii.String("Sweep"), &awsevents.RuleProps{
		Description: jsii.String("Sweeps accounts in CleanUp for cleanups that ended without reporting"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(30))),
	})
	sweep.AddTarget(target)
	return f
}
