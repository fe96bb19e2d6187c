// Package wiring builds the monthly cost reporter: the report service over
// the lease table, Cost Explorer through the role chain, the report bucket
// and the event bus.
package wiring

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/isb-go/isb/common/costs"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/objects"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/common/report"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/boot/bootstore"
)

// The Lambda runtime's variables naming the function's log group and the
// function (the report names where its log lines went).
const (
	envLogGroup     = "AWS_LAMBDA_LOG_GROUP_NAME"
	envFunctionName = "AWS_LAMBDA_FUNCTION_NAME"
)

// Function is the cost reporter.
var Function = boot.For(names.LambdaCostReporter, build, envLogGroup, envFunctionName)

func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	store := bootstore.Store(cfg, env)
	logName := env[envLogGroup]
	if logName == "" {
		logName = env[envFunctionName]
	}
	if logName == "" {
		logName = "cost-reporter"
	}
	svc := report.New(report.Deps{
		Leases: store.Leases(),
		Costs: costs.NewChain(cfg, env[names.EnvNamespace], env[names.EnvHubAccountID], names.LambdaCostReporter,
			poolparam.New(paramstore.New(cfg), env[names.EnvAccountPoolParam], 0, nil)),
		// The emulator serves buckets by path, not by host name.
		Objects: objects.New(s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })),
		Events:  bootstore.Bus(cfg, env),
		Bucket:  env[names.EnvReportBucket],
		LogName: logName,
	})
	slog.Info("cost-reporter configured", "env", env, "log_name", logName)
	return lambda.NewHandlerWithOptions((&report.Handler{Service: svc, Now: now}).Handle,
		lambda.WithDisallowUnknownFields(true)), nil
}
