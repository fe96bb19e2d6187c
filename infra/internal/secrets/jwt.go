// Package secrets holds the hub's secrets.
package secrets

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// RotatorFunction is the directory of the rotation function under
// functions/.
const RotatorFunction = "jwt-rotator"

// RotationDays is how often the signing key is replaced (upstream: 30).
const RotationDays = 30

// JwtSecretProps configures the JWT signing secret.
type JwtSecretProps struct {
	Namespace string
	Key       awskms.IKey
	Mode      config.Mode
	// AssetDir holds the rotation function's bootstrap.zip.
	AssetDir         string
	LogRetentionDays int
}

// JwtSecret is the signing secret and its rotation function.
type JwtSecret struct {
	Secret  awssecretsmanager.Secret
	Rotator *platform.GoFunction
}

// NewJwtSecret creates the secret the SSO handler signs session tokens
// with and the authorizer verifies them with: 64 random alphanumeric
// characters, encrypted with the hub key, rotated every RotationDays by
// functions/jwt-rotator.
//
// A rotation makes the new key AWSCURRENT and the old one AWSPREVIOUS; the
// verifier (common/auth) accepts both, and reloads its keys early when it
// meets a signature it does not know, so a rotation neither ends sessions
// nor makes warm authorizers reject fresh tokens (upstream did both). A
// token lives at most a day, far less than the rotation interval, so no
// valid token is ever signed with a key older than AWSPREVIOUS.
func NewJwtSecret(scope constructs.Construct, id string, props *JwtSecretProps) *JwtSecret {
	s := awssecretsmanager.NewSecret(scope, jsii.String(id), &awssecretsmanager.SecretProps{
		SecretName:    jsii.String(names.Physical(props.Namespace, names.JwtSecret)),
		Description:   jsii.String("Innovation Sandbox session token signing key"),
		EncryptionKey: props.Key,
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength:     jsii.Number(64),
			ExcludePunctuation: jsii.Bool(true),
		},
		RemovalPolicy: platform.RemovalPolicy(props.Mode),
	})
	rotator := platform.NewGoFunction(scope, id+"Rotator", &platform.GoFunctionProps{
		Name:        RotatorFunction,
		AssetDir:    props.AssetDir,
		Description: "Rotates the session token signing key (the previous key stays valid)",
		Timeout:     awscdk.Duration_Seconds(jsii.Number(30)),
		// Secrets Manager runs one rotation at a time; one is enough.
		ReservedConcurrency: 1,
		Environment: map[string]string{
			names.EnvNamespace: props.Namespace,
			names.EnvJwtSecret: names.Physical(props.Namespace, names.JwtSecret),
		},
		Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	// CDK grants the function read/write on this secret, encrypt/decrypt
	// on its key, GetRandomPassword, and lets Secrets Manager invoke it.
	s.AddRotationSchedule(jsii.String("Rotation"), &awssecretsmanager.RotationScheduleOptions{
		RotationLambda:     rotator.Function,
		AutomaticallyAfter: awscdk.Duration_Days(jsii.Number(RotationDays)),
		// A stack update must not rotate: it would be an unplanned rotation
		// on every change of the function.
		RotateImmediatelyOnUpdate: jsii.Bool(false),
	})
	platform.Suppress(rotator.Role, platform.Suppression{
		Rule:      "AwsSolutions-IAM5",
		Reason:    "secretsmanager:GetRandomPassword has no resource-level permissions; the key grant CDK adds for the rotation carries kms:GenerateDataKey*/ReEncrypt* on the one key.",
		AppliesTo: []string{"Resource::*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"},
	})
	return &JwtSecret{Secret: s, Rotator: rotator}
}
