// Package wiring builds the cleanup worker: it starts the cleanup
// CodeBuild build for each build request the state machine queues.
package wiring

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"

	"github.com/isb-go/isb/common/cleanup/worker"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/boot"
)

// Function is the cleanup worker.
var Function = boot.Function{
	Name:  names.LambdaCleanupWorker,
	Needs: names.LambdaEnv(names.LambdaCleanupWorker),
	Build: build,
}

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	project := env[names.EnvCleanupProject]
	slog.Info("cleanup-worker configured", "project", project)
	w := &worker.Worker{CodeBuild: codebuild.NewFromConfig(cfg), Project: project, Log: slog.Default()}
	return w.Handle, nil
}
