package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/config"
)

// newAPI composes the REST API: the four handler functions and the outbox
// relay (api.NewFunctions), the request authorizer, the SAML sign-in
// handler (api.NewSSO), and the API with its WAF. The functions reach the Data stack's tables and AppConfig profiles
// through cross-stack references (Data deploys first). It returns the
// roles of the functions that reach other accounts, by target role.
func newAPI(scope constructs.Construct, cfg config.Config, data *DataStack, key awskms.IKey,
	bus awsevents.IEventBus, jwt awssecretsmanager.ISecret, alarmTopic awssns.ITopic) map[string][]awsiam.IRole {
	reader := configReader(scope, "AppConfigExtension", cfg, data)
	fns := api.NewFunctions(scope, "ApiFunctions", &api.FunctionsProps{
		Namespace: cfg.Namespace, AssetDir: cfg.LambdaAssetDir,
		Tables: api.Tables{Leases: data.Tables.Leases, Accounts: data.Tables.Accounts,
			Templates: data.Tables.LeaseTemplates, Outbox: data.Tables.Outbox, Sessions: data.Tables.Sessions},
		Bus: bus, JwtSecret: jwt, Key: key, Config: reader,
		AccountPoolParamArn: poolParamArn(cfg), IdcConfigParamArn: idcParamArn(cfg),
		HubAccountID: cfg.HubAccountID, IdcAccountID: cfg.IdcAccountID,
		LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode,
	})
	authorizer := api.NewAuthorizer(scope, "Authorizer", &api.AuthorizerProps{
		Namespace: cfg.Namespace, AssetDir: cfg.LambdaAssetDir, Secret: jwt,
		Sessions: data.Tables.Sessions, LogKey: key, LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode,
		GrantConfigRead: reader.Grant,
	})
	sso := api.NewSSO(scope, "Sso", &api.SSOProps{
		Namespace: cfg.Namespace, AssetDir: cfg.LambdaAssetDir, HubAccountID: cfg.HubAccountID,
		JwtSecret: jwt, JwtSecretKey: key,
		IdcConfigParamArn: idcParamArn(cfg),
		Sessions:          data.Tables.Sessions,
		LogKey:            key, LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode, GrantConfigRead: reader.Grant,
	})
	integrations := map[routes.Family]awslambda.IFunction{routes.Auth: sso.Function.Function}
	for family, fn := range fns.Integrations {
		integrations[family] = fn
	}
	api.NewRestAPI(scope, "Api", &api.RestAPIProps{
		Namespace: cfg.Namespace, Integrations: integrations, Authorizer: authorizer.Function,
		Key: key, LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode, AlarmTopic: alarmTopic,
		AllowedIPRanges: cfg.AllowedIPRanges,
	})
	// The accounts handler moves accounts (Organizations) and revokes an
	// ejected account's assignments; sign-in faces the internet and only
	// reads the Identity Store.
	// Only the leases handler hands out sessions in a leased account.
	accounts := fns.ByFamily[routes.Accounts].Role
	return map[string][]awsiam.IRole{
		names.OrgMgtRole:      {accounts},
		names.IdcRole:         {accounts},
		names.IdcReadOnlyRole: {sso.Function.Role},
		names.LesseeRole:      {fns.ByFamily[routes.Leases].Role},
	}
}
