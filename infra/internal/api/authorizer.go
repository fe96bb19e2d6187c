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
)

// AuthorizerProps configures the request authorizer function.
type AuthorizerProps struct {
	Namespace string
	AssetDir  string
	// Secret publishes the session token public keys (no secret material:
	// the authorizer verifies, it cannot sign).
	Secret awssecretsmanager.ISecret
	// Sessions is the table of revoked session tokens (logout).
	Sessions awsdynamodb.ITable
	// LogKey encrypts the function's log group.
	LogKey           awskms.IKey
	LogRetentionDays int
	Mode             config.Mode
	// GrantConfigRead gives the function read access to the global
	// configuration (the AppConfig extension layer, its environment and
	// IAM), the same way the API handlers get it. Required: maintenance
	// mode lives there.
	GrantConfigRead func(fn *platform.GoFunction)
}

// NewAuthorizer creates the authorizer function. Its role may read the
// public-key secret (both staged versions) and get items from the Sessions table (revoked tokens), nothing else besides
// what GrantConfigRead adds.
func NewAuthorizer(scope constructs.Construct, id string, props *AuthorizerProps) *platform.GoFunction {
	if props.GrantConfigRead == nil {
		panic("api.NewAuthorizer: GrantConfigRead is required (maintenance mode is in the global configuration)")
	}
	fn := platform.NewGoFunction(scope, id, &platform.GoFunctionProps{
		Name:        names.LambdaAuthorizer,
		AssetDir:    props.AssetDir,
		Description: "REST API request authorizer: verifies the session token and the caller's roles",
		Timeout:     awscdk.Duration_Seconds(jsii.Number(10)),
		Environment: map[string]string{
			names.EnvNamespace:    props.Namespace,
			names.EnvSessionKeys:  *props.Secret.SecretArn(),
			names.EnvSessionTable: *props.Sessions.TableName(),
		},
		Key: props.LogKey, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadSessionPublicKeys"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{props.Secret.SecretArn()},
	}))
	grantRevocationCheck(props.Sessions, fn)
	props.GrantConfigRead(fn)
	return fn
}
