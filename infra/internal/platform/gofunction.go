package platform

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
)

// BootstrapZip is the file `make build-lambdas` writes for every function:
// <asset dir>/<name>/bootstrap.zip, holding the arm64 `bootstrap` binary.
const BootstrapZip = "bootstrap.zip"

// Memory bounds of the house function (MB).
const (
	MinMemoryMB = 128
	MaxMemoryMB = 256
)

// GoFunctionProps configures a Go Lambda function.
type GoFunctionProps struct {
	// Name is the directory of the function under functions/ and under the
	// asset directory: one of names.Lambdas (for example
	// names.LambdaIdcConfigurer).
	Name string
	// AssetDir is the directory holding <Name>/bootstrap.zip.
	AssetDir string
	// Description of the function.
	Description string
	// MemoryMB defaults to 128 and must stay within 128–256.
	MemoryMB int
	// Timeout defaults to 30 seconds.
	Timeout awscdk.Duration
	// Environment variables; keys come from common/names and must include
	// every key the function needs (names.LambdaEnv).
	Environment map[string]string
	// ReservedConcurrency caps concurrent executions; 0 leaves it unset.
	ReservedConcurrency int
	// Tracing turns on active X-Ray tracing. It is off by default: the Go
	// functions are not instrumented yet, and the X-Ray actions need a
	// Resource "*" grant.
	Tracing bool
	// Key encrypts the function's log group.
	Key awskms.IKey
	// LogRetentionDays and Mode configure the log group.
	LogRetentionDays int
	Mode             config.Mode
}

// GoFunction is a Go Lambda function with its own role and log group.
type GoFunction struct {
	constructs.Construct
	Function awslambda.Function
	Role     awsiam.Role
	LogGroup awslogs.LogGroup
}

// NewGoFunction creates a provided.al2023 arm64 function from a prebuilt
// bootstrap.zip (see mk/infra.mk, target build-lambdas). It does not
// bundle: a missing asset is a synth error telling you to build first. The
// role gets only the right to write to the function's own log group (and
// to send X-Ray traces when Tracing is on); callers grant everything else.
func NewGoFunction(scope constructs.Construct, id string, props *GoFunctionProps) *GoFunction {
	lambda, ok := names.LambdaNamed(props.Name)
	if !ok {
		panic(fmt.Sprintf("function %q is not in names.Lambdas", props.Name))
	}
	for _, k := range lambda.Env {
		if props.Environment[k] == "" {
			panic(fmt.Sprintf("function %s needs %s in its environment", props.Name, k))
		}
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	asset := filepath.Join(props.AssetDir, props.Name, BootstrapZip)
	if _, err := os.Stat(asset); err != nil {
		panic(
			fmt.Sprintf(
				"lambda asset for %q not found at %s: run `make build-lambdas` first (%v)",
				props.Name,
				asset,
				err,
			),
		)
	}
	mem := props.MemoryMB
	if mem == 0 {
		mem = MinMemoryMB
	}
	if mem < MinMemoryMB || mem > MaxMemoryMB {
		panic(fmt.Sprintf("function %s: memory %d MB outside %d–%d", props.Name, mem, MinMemoryMB, MaxMemoryMB))
	}
	timeout := props.Timeout
	if timeout == nil {
		timeout = awscdk.Duration_Seconds(jsii.Number(30))
	}
	logGroup := NewLogGroup(
		c,
		"Logs",
		&LogGroupProps{Key: props.Key, RetentionDays: props.LogRetentionDays, Mode: props.Mode},
	)
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Execution role of " + props.Name),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{logGroup.LogGroupArn()},
	}))
	env := map[string]*string{}
	for k, v := range props.Environment {
		env[k] = jsii.String(v)
	}
	fp := &awslambda.FunctionProps{
		Code:                  awslambda.Code_FromAsset(jsii.String(asset), nil),
		Handler:               jsii.String("bootstrap"),
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Description:           jsii.String(props.Description),
		MemorySize:            jsii.Number(float64(mem)),
		Timeout:               timeout,
		Environment:           &env,
		Role:                  role,
		LogGroup:              logGroup,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
		Tracing:               awslambda.Tracing_DISABLED,
	}
	if props.Tracing {
		fp.Tracing = awslambda.Tracing_ACTIVE
	}
	if props.ReservedConcurrency > 0 {
		fp.ReservedConcurrentExecutions = jsii.Number(float64(props.ReservedConcurrency))
	}
	fn := awslambda.NewFunction(c, jsii.String("Function"), fp)
	if props.Tracing {
		Suppress(role, Suppression{
			Rule:      "AwsSolutions-IAM5",
			Reason:    "X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions.",
			AppliesTo: []string{"Resource::*"},
		})
	}
	return &GoFunction{Construct: c, Function: fn, Role: role, LogGroup: logGroup}
}

// AllowParameters lets the function read the SSM parameters (names or
// ARNs), for example the shared parameters of other accounts.
func (f *GoFunction) AllowParameters(arns ...string) {
	f.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(
			"ReadSharedParameters",
		), Actions: jsii.Strings("ssm:GetParameter"), Resources: jsii.Strings(arns...),
	}))
}

// SuppressGrantWildcards waives the two wildcards CDK's own grants write:
// a table grant covers the table's indexes (<table ARN>/index/*, needed for
// the status-index queries), and a KMS grant for a table, queue or secret
// carries kms:GenerateDataKey* and kms:ReEncrypt* on that one key. The
// table ARN is a token or a cross-stack import, so the finding is matched
// by pattern.
func (f *GoFunction) SuppressGrantWildcards() {
	cdknag.NagSuppressions_AddResourceSuppressions(f.Role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String(
			"CDK table grants include the table's index ARNs (<table>/index/*) for the status-index queries, " +
				"and CDK KMS grants for the table, queue and secret keys carry kms:GenerateDataKey*/ReEncrypt* on that one key.",
		),
		AppliesTo: &[]any{
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::.*\/index\/\*$/`)},
			"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
		},
	}}, jsii.Bool(true))
}
