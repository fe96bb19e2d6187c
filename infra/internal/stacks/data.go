package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	isbconfig "github.com/isb-go/isb/common/config"

	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/data"
	"github.com/isb-go/isb/infra/internal/platform"
)

// DataStack is the hub's persistent layer.
type DataStack struct {
	awscdk.Stack
	Tables    *data.Tables
	AppConfig *data.AppConfig
}

// NewDataStack composes the Data stack: the table key, the three tables,
// the AppConfig application and the data configuration parameter.
func NewDataStack(scope constructs.Construct, cfg config.Config) *DataStack {
	stack := newStack(scope, StackData, cfg, cfg.HubAccountID,
		"Innovation Sandbox data: DynamoDB tables and AppConfig configuration (hub account)")
	key := platform.NewKey(stack, "Key", &platform.KeyProps{
		Alias:       keyAlias(cfg, StackData),
		Description: "Encrypts the Innovation Sandbox tables",
		Mode:        cfg.Mode,
	})
	tables := data.NewTables(stack, "Tables", &data.TablesProps{Namespace: cfg.Namespace, Key: key, Mode: cfg.Mode})
	app := data.NewAppConfig(stack, "AppConfig", &data.AppConfigProps{Namespace: cfg.Namespace, RepoRoot: cfg.RepoRoot})
	data.NewParam(stack, "DataConfig", &data.ParamProps{
		Namespace: cfg.Namespace,
		Config: isbconfig.DataParam{
			TableKeyArn:                   *key.KeyArn(),
			AppConfigApplicationID:        *app.Application.Ref(),
			AppConfigEnvironmentID:        *app.Environment.Ref(),
			AppConfigDeploymentStrategyID: *app.Strategy.Ref(),
			GlobalConfigProfileID:         *app.Global.Profile.Ref(),
			NukeConfigProfileID:           *app.Nuke.Profile.Ref(),
			ReportingConfigProfileID:      *app.Reporting.Profile.Ref(),
		},
	})
	return &DataStack{Stack: stack, Tables: tables, AppConfig: app}
}
