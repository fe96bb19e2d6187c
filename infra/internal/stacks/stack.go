// Package stacks composes the five CloudFormation stacks from the
// constructs of the other packages. A stack function only wires
// constructs together; resources are defined in the construct packages.
package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
)

// Stack base names. The stack name (and construct id) is
// names.Physical(namespace, base), for example "isb-dev-Data".
const (
	StackAccountPool    = "AccountPool"
	StackIDC            = "IDC"
	StackData           = "Data"
	StackCompute        = "Compute"
	StackSandboxAccount = "SandboxAccount"
)

// DeployOrder is the order `make deploy` deploys the stacks in. The
// SandboxAccount stack is not deployed directly: the AccountPool StackSet
// deploys it to every pool account.
var DeployOrder = []string{StackAccountPool, StackIDC, StackData, StackCompute}

// StackName returns the deployed name of a stack.
func StackName(cfg config.Config, base string) string { return names.Physical(cfg.Namespace, base) }

func newStack(scope constructs.Construct, base string, cfg config.Config, account, description string) awscdk.Stack {
	props := &awscdk.StackProps{
		StackName:             jsii.String(StackName(cfg, base)),
		Description:           jsii.String(description),
		TerminationProtection: jsii.Bool(cfg.IsProd()),
	}
	if account != "" {
		props.Env = &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(cfg.Region)}
	}
	stack := awscdk.NewStack(scope, jsii.String(StackName(cfg, base)), props)
	tagNamespace(stack, cfg)
	return stack
}

func keyAlias(cfg config.Config, base string) string {
	return "isb/" + cfg.Namespace + "/" + base
}

// untaggable are resource types whose Tags CDK emits but cfn-lint's
// CloudFormation schema does not accept yet.
var untaggable = []string{"AWS::CloudWatch::Dashboard"}

// tagNamespace tags every resource of the stack with the namespace (the
// cost allocation tag).
func tagNamespace(stack awscdk.Stack, cfg config.Config) {
	awscdk.Tags_Of(stack).Add(jsii.String(names.TagNamespace), jsii.String(cfg.Namespace),
		&awscdk.TagProps{ExcludeResourceTypes: jsii.Strings(untaggable...)})
}
