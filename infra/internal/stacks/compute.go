package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/cleaner"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/events"
	"github.com/isb-go/isb/infra/internal/hub"
	"github.com/isb-go/isb/infra/internal/observability"
	"github.com/isb-go/isb/infra/internal/platform"
	"github.com/isb-go/isb/infra/internal/secrets"
)

// eventArchiveDays is how long every event stays replayable.
const eventArchiveDays = 90

// NewComputeStack composes the Compute stack: the event bus with archive,
// DLQ and audit log, the hop roles (one per target account role), the JWT secret and its
// rotation, the account cleaner, the alarms and the dashboard, and the
// REST API with its functions (newAPI), which reach the Data stack's
// tables and AppConfig profiles through cross-stack references, and the
// lifecycle manager, the scheduled monitors, the cost report and the email
// notifier.
func NewComputeStack(scope constructs.Construct, cfg config.Config, data *DataStack) awscdk.Stack {
	stack := newStack(scope, StackCompute, cfg, cfg.HubAccountID,
		"Innovation Sandbox compute: events, cross-account hop roles, secrets and observability (hub account)")
	key := platform.NewKey(stack, "Key", &platform.KeyProps{
		Alias: keyAlias(
			cfg,
			StackCompute,
		), Description: "Encrypts the Innovation Sandbox bus, queues, secrets, topics and logs", Mode: cfg.Mode,
	})
	bus := events.NewBus(stack, "Events", &events.BusProps{
		Namespace: cfg.Namespace, HubAccountID: cfg.HubAccountID, Key: key, ArchiveRetentionDays: eventArchiveDays,
	})
	events.NewAuditLog(stack, "AuditLog", &events.AuditLogProps{
		Namespace: cfg.Namespace, HubAccountID: cfg.HubAccountID, Bus: bus.Bus, DeadLetter: bus.DeadLetter, Key: key,
		LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode,
	})
	jwt := secrets.NewJwtSecret(stack, "JwtSecret", &secrets.JwtSecretProps{
		Namespace: cfg.Namespace, Key: key, Mode: cfg.Mode,
		AssetDir: cfg.LambdaAssetDir, LogRetentionDays: cfg.LogRetentionDays,
	})
	alarms := observability.NewAlarms(stack, "Alarms", &observability.AlarmsProps{
		Namespace: cfg.Namespace, HubAccountID: cfg.HubAccountID, Key: key,
		AlarmEmail: cfg.AlarmEmail, MinFreeAccounts: cfg.MinFreeAccounts,
	})
	alarms.AlarmOnDeadLetters("EventsDLQ", bus.DeadLetter)
	// The account cleaner: state machine, CodeBuild, worker, watchdog.
	cleanup := cleaner.New(stack, "Cleaner", &cleaner.Props{
		Namespace: cfg.Namespace, HubAccountID: cfg.HubAccountID, OrgMgtAccountID: cfg.OrgMgtAccountID,
		IdcAccountID: cfg.IdcAccountID,
		Bus:          bus.Bus, BusDeadLetter: bus.DeadLetter, Key: key,
		AppConfigApplicationID: *data.AppConfig.Application.Ref(),
		AppConfigEnvironmentID: *data.AppConfig.Environment.Ref(),
		TableKeyArn:            *data.Tables.Accounts.EncryptionKey().KeyArn(),
		AppConfigProfileIDs:    []string{*data.AppConfig.Global.Profile.Ref(), *data.AppConfig.Nuke.Profile.Ref()},
		AssetDir:               cfg.LambdaAssetDir, RepoRoot: cfg.RepoRoot, LogRetentionDays: cfg.LogRetentionDays,
		Mode: cfg.Mode,
	})
	alarms.AlarmOnDeadLetters("CleanupBuildDLQ", cleanup.BuildDeadLetter)
	// The account lifecycle manager: rule, queue, DLQ, function.
	manager := newLifecycle(stack, cfg, data, key, bus.Bus, bus.DeadLetter, alarms)
	// Lease and drift monitoring, the cost report and email.
	ops := newOperations(stack, cfg, data, key, bus.Bus, bus.DeadLetter, alarms)
	observability.NewDashboard(
		stack,
		"Dashboard",
		&observability.DashboardProps{Namespace: cfg.Namespace, Alarms: alarms},
	)
	apiRoles := newAPI(stack, cfg, data, key, bus.Bus, jwt.Secret, alarms.Topic)
	// Who reaches which account, in one table: each hop trusts exactly
	// these roles and each role is granted exactly these hops.
	assumers := map[string][]awsiam.IRole{
		names.OrgMgtRole: {manager.Function.Role},
		names.IdcRole:    {manager.Function.Role},
		// The lifecycle manager revokes lessee sessions through the cleanup role.
		names.SandboxAccountRole: {cleanup.Project.Role(), manager.Function.Role},
	}
	for _, more := range []map[string][]awsiam.IRole{ops, apiRoles} {
		for target, roles := range more {
			assumers[target] = append(assumers[target], roles...)
		}
	}
	hub.NewHops(stack, "Hops", &hub.HopsProps{
		Namespace: cfg.Namespace, HubAccountID: cfg.HubAccountID,
		OrgMgtAccountID: cfg.OrgMgtAccountID, IdcAccountID: cfg.IdcAccountID,
		PoolOrgPath: cfg.PoolOrgPath, Assumers: assumers,
	})
	awscdk.NewCfnOutput(stack, jsii.String("EventBusArn"), &awscdk.CfnOutputProps{Value: bus.Bus.EventBusArn()})
	return stack
}
