// Command authorizer is the API Gateway REQUEST authorizer of the REST API.
// See package gate.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/authorizer/gate"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	ns, secret, sessions := os.Getenv(
		names.EnvNamespace,
	), os.Getenv(
		names.EnvSessionKeys,
	), os.Getenv(
		names.EnvSessionTable,
	)
	if ns == "" || secret == "" || sessions == "" {
		fmt.Fprintf(
			os.Stderr,
			"authorizer: %s, %s and %s are required\n",
			names.EnvNamespace,
			names.EnvSessionKeys,
			names.EnvSessionTable,
		)
		os.Exit(1)
	}
	cfg, err := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, "authorizer: load AWS config:", err)
		os.Exit(1)
	}
	// Nothing below calls AWS before the first event: the keys and the
	// configuration load on first use.
	keys := auth.NewSecretKeys(secretsmanager.NewFromConfig(cfg), secret, auth.DefaultKeyTTL, nil)
	h := gate.New(
		// Logout puts a token's id on the deny-list: one GetItem per call.
		auth.NewVerifier(keys, auth.Issuer(ns), auth.Audience(ns), nil).
			CheckRevocations(ddbstore.NewSessionStore(dynamodb.NewFromConfig(cfg), sessions, nil)),
		appconfig.New(appconfig.NewExtension(ns), 0, nil),
		gate.NewEMFCounter(names.MetricNamespace(ns), os.Stdout, time.Now),
	)
	lambda.Start(h.Handle)
}
