// Command api-configurations serves GET /configurations of the REST API.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/configview"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-configurations/configapi"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	ns, poolParam := os.Getenv(names.EnvNamespace), os.Getenv(names.EnvAccountPoolParam)
	jwtSecret, sessions := os.Getenv(names.EnvSessionKeys), os.Getenv(names.EnvSessionTable)
	cfg, err := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil || ns == "" || poolParam == "" || jwtSecret == "" || sessions == "" {
		slog.Error(
			"api-configurations cannot start: needs "+names.EnvNamespace+", "+names.EnvAccountPoolParam+", "+names.EnvSessionKeys+", "+names.EnvSessionTable,
			"error",
			err,
		)
		os.Exit(1)
	}
	env := apiwire.Env{Namespace: ns, SessionKeys: jwtSecret, Tables: apiwire.Tables{Sessions: sessions}}
	conf := apiwire.Config(env)
	svc := configview.New(conf, poolparam.New(ssm.NewFromConfig(cfg), poolParam, 0, nil))
	srv, err := httpapi.NewServer(
		routes.Configurations,
		apiwire.Verifier(
			secretsmanager.NewFromConfig(cfg),
			env,
			ddbstore.NewSessionStore(dynamodb.NewFromConfig(cfg), sessions, nil),
		),
		conf,
		configapi.Handlers(svc),
	)
	if err != nil {
		slog.Error("api-configurations cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(srv.Handle)
}
