package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/monitoring"
	"github.com/isb-go/isb/infra/internal/notify"
	"github.com/isb-go/isb/infra/internal/observability"
)

// poolParamArn and idcParamArn are the shared parameters of the
// AccountPool and IDC stacks, read across accounts.
func poolParamArn(cfg config.Config) string {
	return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", cfg.Region, cfg.OrgMgtAccountID,
		names.Physical(cfg.Namespace, names.AccountPoolConfigParam))
}

func idcParamArn(cfg config.Config) string {
	return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", cfg.Region, cfg.IdcAccountID,
		names.Physical(cfg.Namespace, names.IdcConfigParam))
}

// configReader gives functions the global and reporting configuration
// through the AppConfig extension.
func configReader(scope constructs.Construct, id string, cfg config.Config, data *DataStack) *api.ConfigReader {
	app := data.AppConfig
	return api.NewConfigReader(scope, id, &api.ConfigReadProps{
		Namespace: cfg.Namespace, Region: cfg.Region,
		ApplicationID: *app.Application.Ref(), EnvironmentID: *app.Environment.Ref(),
		ProfileIDs: []string{*app.Global.Profile.Ref(), *app.Reporting.Profile.Ref()},
	})
}

// newOperations composes the work that runs by itself: the
// hourly lease monitor, the six-hourly drift monitor, the monthly group
// cost report and the email notifier, each with an alarm on its failures.
// It returns the roles of the functions that reach other accounts, by
// target role.
func newOperations(scope constructs.Construct, cfg config.Config, data *DataStack, key awskms.IKey,
	bus awsevents.IEventBus, busDeadLetter awssqs.IQueue, alarms *observability.Alarms) map[string][]awsiam.IRole {
	reader := configReader(scope, "OperationsAppConfigExtension", cfg, data)
	p := &monitoring.Props{
		Namespace: cfg.Namespace, HubAccountID: cfg.HubAccountID, AssetDir: cfg.LambdaAssetDir,
		Tables: api.Tables{Leases: data.Tables.Leases, Accounts: data.Tables.Accounts,
			Templates: data.Tables.LeaseTemplates, Outbox: data.Tables.Outbox},
		Bus: bus, Key: key, Config: reader,
		AccountPoolParamArn: poolParamArn(cfg), IdcConfigParamArn: idcParamArn(cfg),
		LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode,
	}
	leases := monitoring.NewLeaseMonitor(scope, "LeaseMonitor", p)
	alarms.AlarmOnFunctionErrors("LeaseMonitorErrors", leases.Function.Function)
	alarms.AlarmOnDeadLetters("LeaseMonitorScheduleDLQ", leases.DeadLetter)
	drift := monitoring.NewDriftMonitor(scope, "DriftMonitor", p)
	alarms.AlarmOnFunctionErrors("DriftMonitorErrors", drift.Function.Function)
	alarms.AlarmOnDeadLetters("DriftMonitorScheduleDLQ", drift.DeadLetter)
	reaper := monitoring.NewReaper(scope, "Reaper", p)
	alarms.AlarmOnFunctionErrors("ReaperErrors", reaper.Function.Function)
	alarms.AlarmOnDeadLetters("ReaperScheduleDLQ", reaper.DeadLetter)
	report := monitoring.NewCostReport(scope, "CostReport", p)
	alarms.AlarmOnFunctionErrors("CostReportErrors", report.Function.Function)
	alarms.AlarmOnDeadLetters("CostReportScheduleDLQ", report.DeadLetter)

	email := notify.New(scope, "EmailNotifier", &notify.Props{
		Wiring:       consumerWiring(cfg, key, bus, busDeadLetter),
		HubAccountID: cfg.HubAccountID, Region: cfg.Region,
		Deliveries: data.Tables.Deliveries, Config: reader, IdcConfigParamArn: p.IdcConfigParamArn,
	})
	alarms.AlarmOnDeadLetters("EmailDLQ", email.DeadLetter)
	// Both monitors and the report read costs (or OUs) in the management
	// account; the drift monitor also completes unfinished transitions,
	// which grant or revoke access; email only reads groups.
	return map[string][]awsiam.IRole{
		names.OrgMgtRole:      {leases.Function.Role, drift.Function.Role, report.Function.Role},
		names.IdcRole:         {drift.Function.Role},
		names.IdcReadOnlyRole: {email.Function.Role},
	}
}
