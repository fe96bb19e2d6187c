package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/events"
	"github.com/isb-go/isb/infra/internal/lifecycle"
	"github.com/isb-go/isb/infra/internal/observability"
)

// newLifecycle composes the account lifecycle manager: its bus
// rule, queue, DLQ (alarmed) and function, reading the global
// configuration through the AppConfig extension.
func newLifecycle(scope constructs.Construct, cfg config.Config, data *DataStack, key awskms.IKey,
	bus awsevents.IEventBus, busDeadLetter awssqs.IQueue, alarms *observability.Alarms) *events.Consumer {
	reader := configReader(scope, "LifecycleAppConfigExtension", cfg, data)
	m := lifecycle.New(scope, "Lifecycle", &lifecycle.Props{
		Wiring: consumerWiring(cfg, key, bus, busDeadLetter),
		Tables: api.Tables{Leases: data.Tables.Leases, Accounts: data.Tables.Accounts,
			Templates: data.Tables.LeaseTemplates, Outbox: data.Tables.Outbox},
		Config: reader, AccountPoolParamArn: poolParamArn(cfg), IdcConfigParamArn: idcParamArn(cfg),
		HubAccountID: cfg.HubAccountID,
	})
	alarms.AlarmOnDeadLetters("LifecycleDLQ", m.DeadLetter)
	return m
}

// consumerWiring is what the bus consumers share: the bus, its DLQ, the
// key and the functions' assets and logs.
func consumerWiring(cfg config.Config, key awskms.IKey, bus awsevents.IEventBus,
	busDeadLetter awssqs.IQueue) events.Wiring {
	return events.Wiring{
		Namespace: cfg.Namespace, AssetDir: cfg.LambdaAssetDir, Bus: bus, BusDeadLetter: busDeadLetter, Key: key,
		LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode,
	}
}
