package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/lifecycle"
	"github.com/isb-go/isb/infra/internal/observability"
)

// newLifecycle composes the account lifecycle manager: its bus
// rule, queue, DLQ (alarmed) and function, reading the global
// configuration through the AppConfig extension.
func newLifecycle(scope constructs.Construct, cfg config.Config, data *DataStack, key awskms.IKey,
	bus awsevents.IEventBus, busDeadLetter awssqs.IQueue, alarms *observability.Alarms) *lifecycle.Manager {
	reader := configReader(scope, "LifecycleAppConfigExtension", cfg, data)
	m := lifecycle.New(scope, "Lifecycle", &lifecycle.Props{
		Namespace: cfg.Namespace, AssetDir: cfg.LambdaAssetDir,
		Tables: api.Tables{Leases: data.Tables.Leases, Accounts: data.Tables.Accounts,
			Templates: data.Tables.LeaseTemplates, Outbox: data.Tables.Outbox},
		Bus: bus, BusDeadLetter: busDeadLetter, Key: key, Config: reader,
		AccountPoolParamArn: poolParamArn(cfg), IdcConfigParamArn: idcParamArn(cfg),
		HubAccountID: cfg.HubAccountID, LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode,
	})
	alarms.AlarmOnDeadLetters("LifecycleDLQ", m.DeadLetter)
	return m
}
