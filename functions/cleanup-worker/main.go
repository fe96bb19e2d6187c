// Command cleanup-worker starts the cleanup CodeBuild build for each build
// request the cleanup state machine queues (see package worker).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/cleanup/worker"
	"github.com/isb-go/isb/common/names"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	project := os.Getenv(names.EnvCleanupProject)
	if project == "" {
		fmt.Fprintln(os.Stderr, "cleanup-worker: missing", names.EnvCleanupProject)
		os.Exit(1)
	}
	cfg, err := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, "cleanup-worker: load AWS config:", err)
		os.Exit(1)
	}
	slog.Info("cleanup-worker configured", "project", project)
	w := &worker.Worker{CodeBuild: codebuild.NewFromConfig(cfg), Project: project, Log: slog.Default()}
	lambda.Start(w.Handle)
}
