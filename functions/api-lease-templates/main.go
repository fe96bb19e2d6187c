// Command api-lease-templates serves the /leaseTemplates routes of the REST API.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/apiwire/storewire"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/catalog"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-lease-templates/templatesapi"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	env, err := apiwire.LoadEnv()
	cfg, cfgErr := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil || cfgErr != nil {
		slog.Error("api-lease-templates cannot start", "error", err, "aws_config_error", cfgErr)
		os.Exit(1)
	}
	sm, conf := secretsmanager.NewFromConfig(cfg), apiwire.Config(env)
	lambda.Start(apiwire.Lazy(func(ctx context.Context) (*httpapi.Server, error) {
		store, err := storewire.Store(ctx, dynamodb.NewFromConfig(cfg), sm, env)
		if err != nil {
			return nil, err
		}
		svc := catalog.New(store.Templates(), conf, time.Now, uuid.NewString)
		return httpapi.NewServer(routes.LeaseTemplates, apiwire.Verifier(sm, env), conf, templatesapi.Handlers(svc))
	}))
}
