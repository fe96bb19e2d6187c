package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/isb-go/isb/infra/internal/config"
)

// Stacks are the five stacks of one deployment.
type Stacks struct {
	AccountPool    awscdk.Stack
	IDC            awscdk.Stack
	Data           awscdk.Stack
	Compute        awscdk.Stack
	SandboxAccount awscdk.Stack
}

// All returns the stacks in deploy order, SandboxAccount last.
func (s *Stacks) All() []awscdk.Stack {
	var out []awscdk.Stack
	for _, st := range []awscdk.Stack{s.AccountPool, s.IDC, s.Data, s.Compute, s.SandboxAccount} {
		if st != nil {
			out = append(out, st)
		}
	}
	return out
}

// Build adds the five stacks to app and applies the cdk-nag
// AwsSolutions checks to all of them.
func Build(app awscdk.App, cfg config.Config) *Stacks {
	s := &Stacks{}
	s.AccountPool = NewAccountPoolStack(app, cfg, SandboxAccountTemplate(cfg)).Stack
	s.IDC = NewIDCStack(app, cfg)
	data := NewDataStack(app, cfg)
	s.Data = data.Stack
	s.Compute = NewComputeStack(app, cfg, data)
	s.SandboxAccount = NewSandboxAccountStack(app, cfg)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return s
}
