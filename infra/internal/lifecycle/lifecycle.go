// Package lifecycle deploys the account lifecycle manager: a bus rule that
// routes the lifecycle events (names.LifecycleDetailTypes) to an encrypted
// SQS queue with a dead-letter queue, and the function that consumes it in
// batches, reporting failed messages one by one.
package lifecycle

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
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
const MemoryMB = 256

// Sizing of the consumer, from names.LifecycleConsumer (local mode runs
// the same): the queue's visibility timeout is six times the function
// timeout, as AWS advises for SQS event sources.
var (
	TimeoutSeconds  = names.LifecycleConsumer.TimeoutSeconds
	BatchSize       = names.LifecycleConsumer.BatchSize
	MaxConcurrency  = names.LifecycleConsumer.MaxConcurrency
	MaxReceiveCount = names.LifecycleConsumer.MaxReceiveCount
)

// Props configures the lifecycle manager.
type Props struct {
	Namespace string
	AssetDir  string
	Tables    api.Tables
	Bus       awsevents.IEventBus
	// BusDeadLetter receives events the rule could not put on the queue.
	BusDeadLetter awssqs.IQueue
	Key           awskms.IKey
	Config        *api.ConfigReader
	// AccountPoolParamArn and IdcConfigParamArn are the shared parameters
	// in the management and IDC accounts. The OrgMgt and IDC hops are
	// granted by the Compute stack (hub.NewHops).
	AccountPoolParamArn string
	IdcConfigParamArn   string
	HubAccountID        string
	LogRetentionDays    int
	Mode                config.Mode
}

// Manager is the deployed lifecycle manager.
type Manager struct {
	constructs.Construct
	Queue      awssqs.Queue
	DeadLetter awssqs.Queue
	Rule       awsevents.Rule
	Function   *platform.GoFunction
}

// New creates the queue, its DLQ, the rule and the function.
func New(scope constructs.Construct, id string, props *Props) *Manager {
	c := constructs.NewConstruct(scope, jsii.String(id))
	m := &Manager{Construct: c}
	route := events.NewConsumer(c, &events.ConsumerProps{
		Namespace: props.Namespace, QueueName: names.LifecycleQueue,
		Description: "Routes lease and account lifecycle events to the lifecycle manager",
		DetailTypes: names.LifecycleDetailTypes, Bus: props.Bus, BusDeadLetter: props.BusDeadLetter, Key: props.Key,
		FunctionTimeoutSeconds: TimeoutSeconds, MaxReceiveCount: MaxReceiveCount,
	})
	m.Queue, m.DeadLetter, m.Rule = route.Queue, route.DeadLetter, route.Rule

	t := props.Tables
	fn := platform.NewGoFunction(c, "Function", &platform.GoFunctionProps{
		Name: names.LambdaLifecycle, AssetDir: props.AssetDir,
		Description: "Account lifecycle manager: applies lease and account events to the tables, Organizations and Identity Center",
		MemoryMB:    MemoryMB, Timeout: awscdk.Duration_Seconds(jsii.Number(TimeoutSeconds)),
		Environment: map[string]string{
			names.EnvNamespace: props.Namespace, names.EnvLeaseTable: *t.Leases.TableName(),
			names.EnvAccountTable: *t.Accounts.TableName(), names.EnvOutboxTable: *t.Outbox.TableName(),
			names.EnvEventBus: *props.Bus.EventBusName(), names.EnvHubAccountID: props.HubAccountID,
			names.EnvAccountPoolParam: props.AccountPoolParamArn, names.EnvIdcConfigParam: props.IdcConfigParamArn,
		},
		Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	m.Function = fn
	t.Leases.GrantReadWriteData(fn.Role)
	t.Accounts.GrantReadWriteData(fn.Role)
	t.Outbox.GrantReadWriteData(fn.Role)
	// An event's source follows its reason (events.Event.Source): a cleanup
	// retry, an ejection or a manual freeze carried through is the API's.
	events.GrantPut(props.Bus, fn.Role, events.EmitsAll(names.SourceLifecycle).
		And(names.SourceAPI, names.CleanAccountRequest, names.LeaseTerminated, names.LeaseFrozen))
	props.Config.Grant(fn)
	fn.AllowParameters(props.AccountPoolParamArn, props.IdcConfigParamArn)
	route.Attach(fn, BatchSize, MaxConcurrency)
	fn.SuppressGrantWildcards()
	return m
}
