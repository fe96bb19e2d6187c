package stacks

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/sandbox"
)

// NewSandboxAccountStack composes the template the StackSet deploys into
// every pool account. It is environment-agnostic and needs no CDK
// bootstrap: it has no assets and no bootstrap-version rule.
func NewSandboxAccountStack(scope constructs.Construct, cfg config.Config) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(StackName(cfg, StackSandboxAccount)), &awscdk.StackProps{
		StackName:   jsii.String(StackName(cfg, StackSandboxAccount)),
		Description: jsii.String("Innovation Sandbox pool account resources (deployed by the AccountPool StackSet)"),
		Synthesizer: awscdk.NewDefaultStackSynthesizer(&awscdk.DefaultStackSynthesizerProps{
			GenerateBootstrapVersionRule: jsii.Bool(false),
		}),
		AnalyticsReporting: jsii.Bool(false),
	})
	tagNamespace(stack, cfg)
	sandbox.NewCleanupRole(stack, "CleanupRole", &sandbox.CleanupRoleProps{
		Namespace:    cfg.Namespace,
		HubAccountID: cfg.HubAccountID,
	})
	sandbox.NewLesseeRole(stack, "LesseeRole", &sandbox.LesseeRoleProps{
		Namespace:    cfg.Namespace,
		HubAccountID: cfg.HubAccountID,
	})
	return stack
}

// SandboxAccountTemplate synthesizes the SandboxAccount stack in an app of
// its own and returns its template as JSON, for the StackSet's
// TemplateBody. The stack is built the same way as the one in the main
// app, so the template deployed by the StackSet is the one the tests and
// cdk-nag see.
func SandboxAccountTemplate(cfg config.Config) string {
	app := awscdk.NewApp(&awscdk.AppProps{
		// Keep the embedded template free of construct-path metadata.
		// PostCliContext wins over the context the CDK CLI passes in.
		PostCliContext: &map[string]any{"aws:cdk:enable-path-metadata": false},
	})
	stack := NewSandboxAccountStack(app, cfg)
	asm := app.Synth(nil)
	tpl := asm.GetStackArtifact(stack.ArtifactId()).Template()
	b, err := json.Marshal(tpl)
	if err != nil {
		panic(fmt.Sprintf("marshal the SandboxAccount template: %v", err))
	}
	return string(b)
}
