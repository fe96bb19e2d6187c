// Package secrets holds the hub's secrets and the session token keys.
package secrets

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// RotationDays is how often the signing key is replaced (upstream: 30).
const RotationDays = 30

// JwtSecretProps configures the session token keys.
type JwtSecretProps struct {
	Namespace string
	// Key encrypts the rotation function's logs.
	Key  awskms.IKey
	Mode config.Mode
	// AssetDir holds the rotation function's bootstrap.zip.
	AssetDir         string
	LogRetentionDays int
}

// JwtSecret is the secret publishing the session token public keys and the
// function that rotates the signing key.
type JwtSecret struct {
	Secret  awssecretsmanager.Secret
	Rotator *platform.GoFunction
}

// NewJwtSecret creates the secret that publishes the public keys session
// tokens are verified with, and its rotation. Tokens are signed (ES256) in
// KMS by asymmetric keys the rotation creates, tagged names.SigningKeyTag;
// only the sign-in function may kms:Sign with them, so no function that
// verifies tokens can mint one. The secret holds no secret material: the
// AWS managed key encrypts it, and verifiers need no kms:Decrypt.
//
// It is created holding names.SessionKeysPlaceholder (no key); the rotation
// runs once at creation and then every RotationDays, via
// functions/jwt-rotator: it creates a KMS key, publishes its public key as
// AWSCURRENT (the old one becomes AWSPREVIOUS, which verifiers accept, so
// no session ends) and schedules the deletion of the key that drops out.
// The rotator refuses to drop a key that may still verify a live session
// (auth.KeyRetirement), so an unplanned rotation right after another is
// refused rather than cutting sessions short.
func NewJwtSecret(scope constructs.Construct, id string, props *JwtSecretProps) *JwtSecret {
	s := awssecretsmanager.NewSecret(scope, jsii.String(id), &awssecretsmanager.SecretProps{
		SecretName:        jsii.String(names.Physical(props.Namespace, names.SessionKeys)),
		Description:       jsii.String("Innovation Sandbox session token public keys (no secret material; the private keys stay in KMS)"),
		SecretStringValue: awscdk.SecretValue_UnsafePlainText(jsii.String(names.SessionKeysPlaceholder)),
		RemovalPolicy:     platform.RemovalPolicy(props.Mode),
	})
	rotator := platform.NewGoFunction(scope, id+"Rotator", &platform.GoFunctionProps{
		Name:        names.LambdaJWTRotator,
		AssetDir:    props.AssetDir,
		Description: "Rotates the session token signing key: a new KMS key, its public key published (the previous one stays valid)",
		Timeout:     awscdk.Duration_Seconds(jsii.Number(30)),
		// Secrets Manager runs one rotation at a time; one is enough.
		ReservedConcurrency: 1,
		Environment: map[string]string{
			names.EnvNamespace:   props.Namespace,
			names.EnvSessionKeys: names.Physical(props.Namespace, names.SessionKeys),
		},
		Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	// CDK grants the function read/write on this secret and
	// GetRandomPassword, and lets Secrets Manager invoke it.
	s.AddRotationSchedule(jsii.String("Rotation"), &awssecretsmanager.RotationScheduleOptions{
		RotationLambda:     rotator.Function,
		AutomaticallyAfter: awscdk.Duration_Days(jsii.Number(RotationDays)),
		// The first rotation publishes the first key. Later updates of the
		// schedule rotate too: harmless, as the previous key stays valid
		// and the rotator refuses one too soon after the last.
		RotateImmediatelyOnUpdate: jsii.Bool(true),
	})
	grantKeyRotation(rotator, props.Namespace)
	platform.Suppress(rotator.Role, platform.Suppression{
		Rule: "AwsSolutions-IAM5",
		Reason: "secretsmanager:GetRandomPassword and kms:CreateKey have no resource-level permissions (CreateKey is conditioned on the signing tag, key spec and usage); " +
			"the signing keys are created by the rotation, so their statements name key/* conditioned on the signing tag, and alias/ the rotation's alias prefix.",
		AppliesTo: []string{"Resource::*", "Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*",
			"Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:alias/" + names.Physical(props.Namespace, "session-signing-") + "*"},
	})
	return &JwtSecret{Secret: s, Rotator: rotator}
}

// SigningKeys is the ARN pattern of the KMS keys in this account and
// region; statements on it are conditioned on SigningKeyCondition.
func SigningKeys() *string {
	return jsii.String("arn:" + *awscdk.Aws_PARTITION() + ":kms:" + *awscdk.Aws_REGION() + ":" + *awscdk.Aws_ACCOUNT_ID() + ":key/*")
}

// SigningKeyCondition limits a statement on SigningKeys to the namespace's
// signing keys (those the rotation tags).
func SigningKeyCondition(namespace string) map[string]any {
	return map[string]any{"aws:ResourceTag/" + names.SigningKeyTag: namespace}
}

// grantKeyRotation lets the rotator create, describe, alias, read the
// public key of and schedule the deletion of signing keys, never sign.
func grantKeyRotation(fn *platform.GoFunction, namespace string) {
	tagged := SigningKeyCondition(namespace)
	aliases := jsii.String("arn:" + *awscdk.Aws_PARTITION() + ":kms:" + *awscdk.Aws_REGION() + ":" + *awscdk.Aws_ACCOUNT_ID() +
		":alias/" + names.Physical(namespace, "session-signing-") + "*")
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("CreateSigningKey"),
		Actions:   jsii.Strings("kms:CreateKey", "kms:TagResource"),
		Resources: jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{
				"aws:RequestTag/" + names.SigningKeyTag: namespace,
				"kms:KeySpec":                           "ECC_NIST_P256",
				"kms:KeyUsage":                          "SIGN_VERIFY",
			},
			"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []string{names.SigningKeyTag}},
		},
	}))
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("ManageSigningKeys"),
		Actions:    jsii.Strings("kms:DescribeKey", "kms:GetPublicKey", "kms:ScheduleKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias"),
		Resources:  &[]*string{SigningKeys()},
		Conditions: &map[string]any{"StringEquals": tagged},
	}))
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("NameSigningKeys"),
		Actions:   jsii.Strings("kms:CreateAlias", "kms:DeleteAlias"),
		Resources: &[]*string{aliases},
	}))
}
