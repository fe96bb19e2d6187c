// Command jwt-rotator rotates the session token signing key: a new KMS key,
// its public key published in the public-key secret. See package rotator.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/jwt-rotator/rotator"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	cfg, err := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, "jwt-rotator: load AWS config:", err)
		os.Exit(1)
	}
	r := rotator.New(
		secretsmanager.NewFromConfig(cfg),
		kms.NewFromConfig(cfg),
		os.Getenv(names.EnvNamespace),
		os.Getenv(names.EnvSessionKeys),
	)
	lambda.Start(func(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
		slog.InfoContext(ctx, "rotation step", "step", ev.Step, "secret", ev.SecretID, "version", ev.ClientRequestToken)
		return r.Step(ctx, ev.SecretID, ev.ClientRequestToken, ev.Step)
	})
}
