// Package lifecycle deploys the account lifecycle manager: a bus rule that
// routes the lifecycle events (names.LifecycleDetailTypes) to an encrypted
// SQS queue with a dead-letter queue, and the function that consumes it in
// batches, reporting failed messages one by one.
package lifecycle

import (
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/events"
)

// MemoryMB is the function's memory.
const MemoryMB = 256

// Props configures the lifecycle manager.
type Props struct {
	events.Wiring
	Tables api.Tables
	Config *api.ConfigReader
	// AccountPoolParamArn and IdcConfigParamArn are the shared parameters
	// in the management and IDC accounts. The OrgMgt and IDC hops are
	// granted by the Compute stack (hub.NewHops).
	AccountPoolParamArn string
	IdcConfigParamArn   string
	HubAccountID        string
}

// New creates the queue, its DLQ, the rule and the function, sized by
// names.LifecycleConsumer (local mode runs the same).
func New(scope constructs.Construct, id string, props *Props) *events.Consumer {
	t := props.Tables
	m := events.NewConsumer(scope, id, &events.ConsumerProps{
		Wiring: props.Wiring, Sizing: names.LifecycleConsumer,
		RuleDescription: "Routes lease and account lifecycle events to the lifecycle manager",
		Description:     "Account lifecycle manager: applies lease and account events to the tables, Organizations and Identity Center",
		MemoryMB:        MemoryMB,
		Environment: map[string]string{
			names.EnvNamespace: props.Namespace, names.EnvLeaseTable: *t.Leases.TableName(),
			names.EnvAccountTable: *t.Accounts.TableName(), names.EnvOutboxTable: *t.Outbox.TableName(),
			names.EnvEventBus: *props.Bus.EventBusName(), names.EnvHubAccountID: props.HubAccountID,
			names.EnvAccountPoolParam: props.AccountPoolParamArn, names.EnvIdcConfigParam: props.IdcConfigParamArn,
		},
	})
	fn := m.Function
	t.Leases.GrantReadWriteData(fn.Role)
	t.Accounts.GrantReadWriteData(fn.Role)
	t.Outbox.GrantReadWriteData(fn.Role)
	// An event's source follows its reason (events.Event.Source): a cleanup
	// retry, an ejection or a manual freeze carried through is the API's.
	events.GrantPut(props.Bus, fn.Role, events.EmitsAll(names.SourceLifecycle).
		And(names.SourceAPI, names.CleanAccountRequest, names.LeaseTerminated, names.LeaseFrozen))
	props.Config.Grant(fn)
	fn.AllowParameters(props.AccountPoolParamArn, props.IdcConfigParamArn)
	m.Attach()
	return m
}
