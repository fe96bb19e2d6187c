package api

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/infra/internal/config"
	isbevents "github.com/isb-go/isb/infra/internal/events"
	"github.com/isb-go/isb/infra/internal/platform"
)

// FunctionName is the directory under functions/ of each family's Lambda.
var FunctionName = map[routes.Family]string{
	routes.Leases:         names.LambdaAPILeases,
	routes.LeaseTemplates: names.LambdaAPILeaseTemplates,
	routes.Accounts:       names.LambdaAPIAccounts,
	routes.Configurations: names.LambdaAPIConfigurations,
}

// OutboxSweepSchedule is how often the sweeper runs.
const OutboxSweepSchedule = "rate(1 minute)"

// Tables are the Data stack's tables the functions use.
type Tables struct {
	Leases, Accounts, Templates, Outbox awsdynamodb.ITable
	// Sessions holds the revoked session tokens every handler checks
	// (and, for the sign-in handler, used sign-in requests).
	Sessions awsdynamodb.ITable
}

// FunctionsProps configures the API handler functions and the outbox relay.
type FunctionsProps struct {
	Namespace string
	AssetDir  string
	Tables    Tables
	Bus       awsevents.IEventBus
	// JwtSecret publishes the public keys every handler verifies tokens
	// with again (it holds nothing that signs).
	JwtSecret awssecretsmanager.ISecret
	// Key encrypts the page-token secret and the log groups.
	Key awskms.IKey
	// Config grants read access to the AppConfig profiles.
	Config *ConfigReader
	// AccountPoolParamArn is the management account's shared pool
	// parameter. The accounts function reaches Organizations (OrgMgt hop)
	// and, to revoke an ejected account's user assignments, Identity
	// Center (IDC hop, configured by IdcConfigParamArn); the Compute stack
	// grants the hops (hub.NewHops), not this construct.
	AccountPoolParamArn string
	IdcConfigParamArn   string
	HubAccountID        string
	IdcAccountID        string
	LogRetentionDays    int
	Mode                config.Mode
}

// Functions are the four API handler functions and the outbox relay.
type Functions struct {
	constructs.Construct
	ByFamily map[routes.Family]*platform.GoFunction
	// Integrations is what the REST API construct takes.
	Integrations    map[routes.Family]awslambda.IFunction
	PageTokenSecret awssecretsmanager.Secret
	OutboxRelay     *platform.GoFunction
	Schedule        awsscheduler.CfnSchedule
}

// NewFunctions creates the handler functions with least-privilege roles:
// each may touch only the tables, bus, secrets, parameter and role its
// routes need. Every handler verifies tokens itself (defence in depth), so
// each reads the published public keys and the revoked-token list; the page-token
// secret seals listing tokens.
func NewFunctions(scope constructs.Construct, id string, props *FunctionsProps) *Functions {
	c := constructs.NewConstruct(scope, jsii.String(id))
	f := &Functions{
		Construct:    c,
		ByFamily:     map[routes.Family]*platform.GoFunction{},
		Integrations: map[routes.Family]awslambda.IFunction{},
	}
	f.PageTokenSecret = awssecretsmanager.NewSecret(c, jsii.String("PageTokenSecret"), &awssecretsmanager.SecretProps{
		SecretName:    jsii.String(names.Physical(props.Namespace, names.PageTokenSecret)),
		Description:   jsii.String("Seals the REST API's page tokens (AES-GCM key material)"),
		EncryptionKey: props.Key,
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength: jsii.Number(64), ExcludePunctuation: jsii.Bool(true),
		},
		RemovalPolicy: platform.RemovalPolicy(props.Mode),
	})
	platform.Suppress(f.PageTokenSecret, platform.Suppression{
		Rule: "AwsSolutions-SMG4",
		Reason: "A rotated page-token key only invalidates the page tokens in flight (clients restart the listing); " +
			"rotation would need a rotation function for no security gain, as the key never leaves the hub.",
	})

	base := func(family routes.Family, description string, extra map[string]string) *platform.GoFunction {
		env := map[string]string{
			names.EnvNamespace:       props.Namespace,
			names.EnvSessionKeys:     *props.JwtSecret.SecretArn(),
			names.EnvPageTokenSecret: *f.PageTokenSecret.SecretArn(),
			names.EnvSessionTable:    *props.Tables.Sessions.TableName(),
		}
		for k, v := range extra {
			env[k] = v
		}
		fn := platform.NewGoFunction(c, string(family), &platform.GoFunctionProps{
			Name: FunctionName[family], AssetDir: props.AssetDir, Description: description,
			MemoryMB: 256, Timeout: awscdk.Duration_Seconds(jsii.Number(29)), Environment: env,
			Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
		})
		props.JwtSecret.GrantRead(fn.Role, nil)
		f.PageTokenSecret.GrantRead(fn.Role, nil)
		grantRevocationCheck(props.Tables.Sessions, fn)
		props.Config.Grant(fn)
		f.ByFamily[family] = fn
		f.Integrations[family] = fn.Function
		return fn
	}
	tableEnv := func(extra map[string]string) map[string]string {
		env := map[string]string{
			names.EnvLeaseTable:         *props.Tables.Leases.TableName(),
			names.EnvAccountTable:       *props.Tables.Accounts.TableName(),
			names.EnvLeaseTemplateTable: *props.Tables.Templates.TableName(),
			names.EnvOutboxTable:        *props.Tables.Outbox.TableName(),
			names.EnvEventBus:           *props.Bus.EventBusName(),
		}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	readPoolParam := func(fn *platform.GoFunction) { fn.AllowParameters(props.AccountPoolParamArn) }

	// The hub account names the lessee hop the function assumes to hand out
	// sessions in a leased account (the hop is granted in the stack).
	leases := base(routes.Leases, "REST API: /leases", tableEnv(map[string]string{
		names.EnvHubAccountID: props.HubAccountID,
	}))
	props.Tables.Leases.GrantReadWriteData(leases.Role)
	props.Tables.Accounts.GrantReadWriteData(leases.Role) // a grant moves the account to Active
	props.Tables.Templates.GrantReadData(leases.Role)
	props.Tables.Outbox.GrantReadWriteData(leases.Role)
	isbevents.GrantPut(props.Bus, leases.Role, isbevents.EmitsAll(names.SourceAPI))

	templates := base(routes.LeaseTemplates, "REST API: /leaseTemplates", tableEnv(nil))
	props.Tables.Templates.GrantReadWriteData(templates.Role)

	accounts := base(routes.Accounts, "REST API: /accounts", tableEnv(map[string]string{
		names.EnvAccountPoolParam: props.AccountPoolParamArn,
		names.EnvIdcConfigParam:   props.IdcConfigParamArn,
		names.EnvHubAccountID:     props.HubAccountID,
		names.EnvIdcAccountID:     props.IdcAccountID,
	}))
	props.Tables.Accounts.GrantReadWriteData(accounts.Role)
	props.Tables.Leases.GrantReadWriteData(accounts.Role) // eject ends the account's lease
	props.Tables.Outbox.GrantReadWriteData(accounts.Role)
	isbevents.GrantPut(props.Bus, accounts.Role, isbevents.EmitsAll(names.SourceAPI))
	accounts.AllowParameters(props.AccountPoolParamArn, props.IdcConfigParamArn)

	configurations := base(routes.Configurations, "REST API: /configurations", map[string]string{
		names.EnvAccountPoolParam: props.AccountPoolParamArn,
	})
	readPoolParam(configurations)

	for _, fn := range f.ByFamily {
		fn.SuppressGrantWildcards()
	}
	f.newOutboxRelay(c, props)
	return f
}

// newOutboxRelay creates the sweeper and its schedule: a publish that
// failed after its commit is retried every minute until the bus has it.
func (f *Functions) newOutboxRelay(c constructs.Construct, props *FunctionsProps) {
	fn := platform.NewGoFunction(c, "OutboxRelay", &platform.GoFunctionProps{
		Name: names.LambdaOutboxRelay, AssetDir: props.AssetDir,
		Description: "Publishes events left in the outbox after a failed delivery",
		Timeout:     awscdk.Duration_Seconds(jsii.Number(50)), ReservedConcurrency: 1,
		Environment: map[string]string{
			names.EnvNamespace: props.Namespace, names.EnvOutboxTable: *props.Tables.Outbox.TableName(),
			names.EnvEventBus: *props.Bus.EventBusName(),
		},
		Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	// It reads the pending index and deletes what it delivered; without
	// Scan it cannot fall back to reading the whole table.
	props.Tables.Outbox.Grant(fn.Role, jsii.String("dynamodb:Query"), jsii.String("dynamodb:BatchWriteItem"))
	if key := props.Tables.Outbox.EncryptionKey(); key != nil {
		key.GrantEncryptDecrypt(fn.Role)
	}
	// It relays what every outbox writer committed, each under its own
	// source and detail-types.
	isbevents.GrantPut(props.Bus, fn.Role, isbevents.EmitsAll(names.Sources...))
	fn.SuppressGrantWildcards()
	role := awsiam.NewRole(c, jsii.String("OutboxScheduleRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), nil),
		Description: jsii.String("Lets EventBridge Scheduler invoke the outbox relay"),
	})
	// Only the function itself, not its versions (GrantInvoke adds <arn>:*).
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("lambda:InvokeFunction"), Resources: &[]*string{fn.Function.FunctionArn()},
	}))
	f.Schedule = awsscheduler.NewCfnSchedule(c, jsii.String("OutboxSweep"), &awsscheduler.CfnScheduleProps{
		Name:               jsii.String(names.Physical(props.Namespace, "OutboxSweep")),
		Description:        jsii.String("Sweeps the event outbox"),
		ScheduleExpression: jsii.String(OutboxSweepSchedule),
		FlexibleTimeWindow: &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
		Target: &awsscheduler.CfnSchedule_TargetProperty{
			Arn: fn.Function.FunctionArn(), RoleArn: role.RoleArn(),
			// The next run is a minute away; retrying a missed one is pointless.
			RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{MaximumRetryAttempts: jsii.Number(0)},
		},
	})
	f.OutboxRelay = fn
}
