package api

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
	"github.com/isb-go/isb/infra/internal/secrets"
)

// IdpMetadataPlaceholder is the metadata secret's value until an
// administrator pastes the Identity Center SAML application's metadata.
const IdpMetadataPlaceholder = "Paste the IAM Identity Center SAML application metadata (XML) here"

// SSOProps configures the sign-in handler.
type SSOProps struct {
	Namespace    string
	AssetDir     string
	HubAccountID string
	// JwtSecret publishes the session token public keys: the current one
	// names the KMS key the function signs with (kms:Sign on the signing
	// keys is this function's alone). JwtSecretKey encrypts the metadata
	// secret.
	JwtSecret    awssecretsmanager.ISecret
	JwtSecretKey awskms.IKey
	// IdcConfigParamArn is the IDC stack's shared parameter (identity store
	// and group ids). The function reads the Identity Store through the
	// read-only IDC hop, which the Compute stack grants (hub.NewHops).
	IdcConfigParamArn string
	// Sessions records used sign-in requests and revoked tokens.
	Sessions awsdynamodb.ITable
	// LogKey encrypts the function's log group.
	LogKey           awskms.IKey
	LogRetentionDays int
	Mode             config.Mode
	// GrantConfigRead gives read access to the global configuration (the
	// auth URLs and the session duration).
	GrantConfigRead func(fn *platform.GoFunction)
}

// SSO is the sign-in handler and the secret holding the identity
// provider's metadata.
type SSO struct {
	Function    *platform.GoFunction
	IdpMetadata awssecretsmanager.Secret
}

// NewSSO creates the sign-in handler. Its role may sign with the session
// signing keys (ES256, raw messages), read the two secrets,
// the IDC parameter, get and put items in the Sessions table (one-time
// sign-in, logout); the compute stack lets it assume the read-only IDC hop
// (then the read-only IDC role, which may read the Identity Store), nothing
// else.
func NewSSO(scope constructs.Construct, id string, props *SSOProps) *SSO {
	if props.GrantConfigRead == nil {
		panic("api.NewSSO: GrantConfigRead is required (the auth settings are in the global configuration)")
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	md := awssecretsmanager.NewSecret(c, jsii.String("IdpMetadata"), &awssecretsmanager.SecretProps{
		SecretName:        jsii.String(names.Physical(props.Namespace, names.IdpMetadataSecret)),
		Description:       jsii.String("IAM Identity Center SAML application metadata (XML); an administrator pastes it after the first deployment"),
		EncryptionKey:     props.JwtSecretKey,
		SecretStringValue: awscdk.SecretValue_UnsafePlainText(jsii.String(IdpMetadataPlaceholder)),
		RemovalPolicy:     platform.RemovalPolicy(props.Mode),
	})
	platform.Suppress(md, platform.Suppression{
		Rule:   "AwsSolutions-SMG4",
		Reason: "Holds the identity provider's public metadata (entity id, URLs, signing certificate), not a credential; it changes when Identity Center's certificate does.",
	})
	fn := platform.NewGoFunction(c, "Function", &platform.GoFunctionProps{
		Name: names.LambdaSSO, AssetDir: props.AssetDir,
		Description: "SAML sign-in with IAM Identity Center; issues the session token",
		Timeout:     awscdk.Duration_Seconds(jsii.Number(15)),
		Environment: map[string]string{
			names.EnvNamespace:         props.Namespace,
			names.EnvSessionKeys:       *props.JwtSecret.SecretArn(),
			names.EnvIdpMetadataSecret: *md.SecretArn(),
			names.EnvIdcConfigParam:    props.IdcConfigParamArn,
			names.EnvHubAccountID:      props.HubAccountID,
			names.EnvSessionTable:      *props.Sessions.TableName(),
		},
		Key: props.LogKey, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadSecrets"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{props.JwtSecret.SecretArn(), md.SecretArn()},
	}))
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("DecryptSecrets"),
		Actions:   jsii.Strings("kms:Decrypt"),
		Resources: &[]*string{props.JwtSecretKey.KeyArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"kms:ViaService": "secretsmanager." + *awscdk.Stack_Of(c).Region() + ".amazonaws.com"},
		},
	}))
	// The signing keys are created by the rotation: named by their tag.
	sign := secrets.SigningKeyCondition(props.Namespace)
	sign["kms:SigningAlgorithm"] = "ECDSA_SHA_256"
	sign["kms:MessageType"] = "RAW"
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("SignSessionTokens"),
		Actions:    jsii.Strings("kms:Sign"),
		Resources:  &[]*string{secrets.SigningKeys()},
		Conditions: &map[string]any{"StringEquals": sign},
	}))
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ReadIdcParameter"), Actions: jsii.Strings("ssm:GetParameter"),
		Resources: jsii.Strings(props.IdcConfigParamArn),
	}))
	grantSessionWrites(props.Sessions, fn)
	fn.SuppressGrantWildcards()
	platform.Suppress(fn.Role, platform.Suppression{
		Rule: "AwsSolutions-IAM5",
		Reason: "The session signing keys are created by the rotation, so their ARNs are not known here: kms:Sign names the account's keys " +
			"and is conditioned on the namespace's signing tag, ECDSA_SHA_256 and RAW messages.",
		AppliesTo: []string{"Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*"},
	})
	props.GrantConfigRead(fn)
	return &SSO{Function: fn, IdpMetadata: md}
}
