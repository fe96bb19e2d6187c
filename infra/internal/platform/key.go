// Package platform holds the house constructs every stack builds on: the
// customer-managed KMS key, the Go Lambda function, SSL-only queues and
// topics, removal policies by deployment mode, and cdk-nag suppressions
// that always carry a reason.
package platform

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/infra/internal/config"
)

// KeyProps configures a stack's customer-managed key.
type KeyProps struct {
	// Alias is the key alias without the "alias/" prefix.
	Alias string
	// Description says what the key encrypts.
	Description string
	// Mode decides retention: prod keys are retained, dev keys are
	// scheduled for deletion with the stack.
	Mode config.Mode
}

// NewKey creates a symmetric customer-managed KMS key with yearly
// rotation. The default key policy (account root) is kept so that IAM
// policies in the account can grant use of the key; service principals
// are added by the constructs that need them.
func NewKey(scope constructs.Construct, id string, props *KeyProps) awskms.Key {
	return awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Alias:             jsii.String(props.Alias),
		Description:       jsii.String(props.Description),
		EnableKeyRotation: jsii.Bool(true),
		PendingWindow:     awscdk.Duration_Days(jsii.Number(pendingWindowDays(props.Mode))),
		RemovalPolicy:     RemovalPolicy(props.Mode),
	})
}

func pendingWindowDays(m config.Mode) float64 {
	if m == config.ModeProd {
		return 30
	}
	return 7
}

// RemovalPolicy returns RETAIN in prod and DESTROY in dev.
func RemovalPolicy(m config.Mode) awscdk.RemovalPolicy {
	if m == config.ModeProd {
		return awscdk.RemovalPolicy_RETAIN
	}
	return awscdk.RemovalPolicy_DESTROY
}
