package platform

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/infra/internal/config"
)

// LogGroupProps configures a KMS-encrypted log group.
type LogGroupProps struct {
	// Name is the log group name; empty lets CloudFormation name it.
	Name string
	// Key encrypts the log data; the key policy gains a statement for the
	// CloudWatch Logs service of this region.
	Key awskms.IKey
	// RetentionDays must be one of the values CloudWatch Logs accepts
	// (config.Load checks it).
	RetentionDays int
	// Mode decides whether the log group survives stack deletion.
	Mode config.Mode
}

// NewLogGroup creates a log group with retention and encryption.
func NewLogGroup(scope constructs.Construct, id string, props *LogGroupProps) awslogs.LogGroup {
	AllowLogsService(props.Key)
	lp := &awslogs.LogGroupProps{
		EncryptionKey: props.Key,
		Retention:     Retention(props.RetentionDays),
		RemovalPolicy: RemovalPolicy(props.Mode),
	}
	if props.Name != "" {
		lp.LogGroupName = jsii.String(props.Name)
	}
	return awslogs.NewLogGroup(scope, jsii.String(id), lp)
}

// AllowLogsService lets CloudWatch Logs of the key's region use the key
// for log groups of the key's account. It is idempotent per key.
func AllowLogsService(key awskms.IKey) {
	const marker = "LogsServiceGrant"
	if key.Node().TryFindChild(jsii.String(marker)) != nil {
		return
	}
	if k, ok := key.(constructs.Construct); ok {
		constructs.NewConstruct(k, jsii.String(marker))
	}
	stack := key.Stack()
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("AllowCloudWatchLogs"),
		Principals: &[]awsiam.IPrincipal{
			awsiam.NewServicePrincipal(jsii.String(fmt.Sprintf("logs.%s.amazonaws.com", *stack.Region())), nil),
		},
		Actions: jsii.Strings(
			"kms:Encrypt*",
			"kms:Decrypt*",
			"kms:ReEncrypt*",
			"kms:GenerateDataKey*",
			"kms:Describe*",
		),
		Resources: jsii.Strings("*"),
		Conditions: &map[string]any{
			"ArnLike": map[string]any{
				"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf(
					"arn:%s:logs:%s:%s:log-group:*",
					*stack.Partition(),
					*stack.Region(),
					*stack.Account(),
				),
			},
		},
	}), jsii.Bool(true))
}

var retentions = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS,
	120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS,
	731:  awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS,
	2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS,
	3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

// Retention maps a number of days to the CloudWatch Logs retention
// setting. It panics on a value config.Load would have refused.
func Retention(days int) awslogs.RetentionDays {
	r, ok := retentions[days]
	if !ok {
		panic(fmt.Sprintf("log retention of %d days is not a CloudWatch Logs value", days))
	}
	return r
}
