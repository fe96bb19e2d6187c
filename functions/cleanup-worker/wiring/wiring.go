// Package wiring builds the cleanup worker: it starts the cleanup
// CodeBuild build for each build request the state machine queues, and
// puts back, delayed, a request CodeBuild's concurrent-build quota refuses.
package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/isb-go/isb/common/cleanup/worker"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/boot"
)

// Function is the cleanup worker.
var Function = boot.For(names.LambdaCleanupWorker, build, names.EnvCleanupQuotaBackoffSeconds)

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	project := env[names.EnvCleanupProject]
	var backoff time.Duration // worker.DefaultQuotaBackoff
	if v, ok := env[names.EnvCleanupQuotaBackoffSeconds]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || time.Duration(n)*time.Second > worker.MaxQuotaDelay {
			return nil, fmt.Errorf("%s=%q: a whole number of seconds from 1 to %d", names.EnvCleanupQuotaBackoffSeconds,
				v, int(worker.MaxQuotaDelay.Seconds()))
		}
		backoff = time.Duration(n) * time.Second
	}
	slog.Info("cleanup-worker configured", "project", project)
	w := &worker.Worker{CodeBuild: codebuild.NewFromConfig(cfg), Project: project, Queue: sqs.NewFromConfig(cfg),
		QueueURL: env[names.EnvCleanupBuildQueueURL], QuotaBackoff: backoff, Log: slog.Default()}
	return w.Handle, nil
}
