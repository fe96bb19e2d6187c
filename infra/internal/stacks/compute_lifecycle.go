package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/hub"
	"github.com/isb-go/isb/infra/internal/lifecycle"
	"github.com/isb-go/isb/infra/internal/observability"
)

// newLifecycle composes the account lifecycle manager (issue 5): its bus
// rule, queue, DLQ (alarmed) and function, reading the global
// configuration through the AppConfig extension.
func newLifecycle(scope constructs.Construct, cfg config.Config, data *DataStack, key awskms.IKey,
	bus awsevents.IEventBus, busDeadLetter awssqs.IQueue, alarms *observability.Alarms) *lifecycle.Manager {
	app := data.AppConfig
	reader := api.NewConfigReader(scope, "LifecycleAppConfigExtension", &api.ConfigReadProps{
		Namespace: cfg.Namespace, Region: cfg.Region,
		ApplicationID: *app.Application.Ref(), EnvironmentID: *app.Environment.Ref(),
		ProfileIDs: []string{*app.Global.Profile.Ref(), *app.Reporting.Profile.Ref()},
	})
	m := lifecycle.New(scope, "Lifecycle", &lifecycle.Props{
		Namespace: cfg.Namespace, AssetDir: cfg.LambdaAssetDir,
		Tables: api.Tables{Leases: data.Tables.Leases, Accounts: data.Tables.Accounts,
			Templates: data.Tables.LeaseTemplates, Outbox: data.Tables.Outbox},
		Bus: bus, BusDeadLetter: busDeadLetter, Key: key, Config: reader,
		AccountPoolParamArn: fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", cfg.Region, cfg.OrgMgtAccountID,
			names.Physical(cfg.Namespace, names.AccountPoolConfigParam)),
		IdcConfigParamArn: fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", cfg.Region, cfg.IdcAccountID,
			names.Physical(cfg.Namespace, names.IdcConfigParam)),
		IntermediateRoleArn: hub.IntermediateRoleArn(cfg.HubAccountID, cfg.Namespace),
		HubAccountID:        cfg.HubAccountID, LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode,
	})
	alarms.AlarmOnDeadLetters("LifecycleDLQ", m.DeadLetter)
	return m
}
