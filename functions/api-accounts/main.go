// Command api-accounts serves the /accounts routes of the REST API.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/apiwire/storewire"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/pool"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-accounts/accountsapi"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	env, err := apiwire.LoadEnv()
	hub, idc, param := os.Getenv(names.EnvHubAccountID), os.Getenv(names.EnvIdcAccountID), os.Getenv(names.EnvAccountPoolParam)
	cfg, cfgErr := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil || cfgErr != nil || hub == "" || idc == "" || param == "" {
		slog.Error("api-accounts cannot start", "error", err, "aws_config_error", cfgErr, "needs", []string{names.EnvHubAccountID, names.EnvIdcAccountID, names.EnvAccountPoolParam})
		os.Exit(1)
	}
	sm, conf := secretsmanager.NewFromConfig(cfg), apiwire.Config(env)
	lambda.Start(apiwire.Lazy(func(ctx context.Context) (*httpapi.Server, error) {
		store, err := storewire.Store(ctx, dynamodb.NewFromConfig(cfg), sm, env)
		if err != nil {
			return nil, err
		}
		svc := pool.New(pool.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Config: conf,
			Pool: poolparam.New(ssm.NewFromConfig(cfg), param, 0, nil), Org: pool.OrgThroughChain(cfg, env.Namespace, hub),
			Outbox: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), env.EventBus)), HubAccountID: hub, IdcAccountID: idc, Now: time.Now})
		return httpapi.NewServer(routes.Accounts, apiwire.Verifier(sm, env), conf, accountsapi.Handlers(svc))
	}))
}
