// Package wiring builds the session signing key rotator over KMS and the
// public-key secret.
package wiring

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/jwt-rotator/rotator"
)

// Function is the rotation function of the public-key secret.
var Function = boot.Function{
	Name:  names.LambdaJWTRotator,
	Needs: names.LambdaEnv(names.LambdaJWTRotator),
	Build: build,
}

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	r := rotator.New(
		secretsmanager.NewFromConfig(cfg),
		kms.NewFromConfig(cfg),
		env[names.EnvNamespace],
		env[names.EnvSessionKeys],
	)
	return func(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
		slog.InfoContext(ctx, "rotation step", "step", ev.Step, "secret", ev.SecretID, "version", ev.ClientRequestToken)
		return r.Step(ctx, ev.SecretID, ev.ClientRequestToken, ev.Step)
	}, nil
}
