// Command isb-cdk is the CDK app of Innovation Sandbox: it loads the
// deployment parameters and synthesizes the five stacks. Run it through
// the CDK CLI (`make synth`, or `npx cdk synth` at the repository root,
// see cdk.json).
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/stacks"
)

func main() { os.Exit(run()) }

func run() int {
	// Close stops the jsii kernel and removes its temp files. It may print
	// "Runtime process exited abnormally: waitid: no child processes": a
	// harmless race inside jsii-runtime-go between Close and its own Wait.
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	cfg, err := config.Load(config.FromContextAndEnv(
		func(key string) any { return app.Node().TryGetContext(jsii.String(key)) },
		os.LookupEnv,
	))
	if err != nil {
		fmt.Fprintf(os.Stderr, "isb-cdk: %v\n", err)
		return 2
	}
	stacks.Build(app, cfg)
	app.Synth(nil)
	return 0
}
