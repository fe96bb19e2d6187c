// Command cost-reporter writes the monthly group cost report (see
// common/report). EventBridge Scheduler invokes it monthly with an empty
// payload, which reports the previous calendar month (UTC); an operator
// reports any month by invoking it with {"reportMonth":"yyyy-MM"}.
package main

import (
	"crypto/rand"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/costs"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/objects"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/common/report"
	"github.com/isb-go/isb/functions/internal/boot"
)

func main() {
	keys := []string{names.EnvNamespace, names.EnvLeaseTable, names.EnvEventBus, names.EnvHubAccountID,
		names.EnvAccountPoolParam, names.EnvReportBucket}
	env, cfg, awsOpts := boot.Start("cost-reporter", keys...)
	// Page tokens only live within one run, so a per-process secret will do.
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		slog.Error("cost-reporter cannot start: page token secret", "error", err)
		os.Exit(1)
	}
	pages, err := ddbstore.NewPageCodec(secret)
	if err != nil {
		boot.Fail("cost-reporter", err)
	}
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), ddbstore.Tables{Leases: env[names.EnvLeaseTable]}, pages)
	logName := lambdacontext.LogGroupName
	if logName == "" {
		logName = lambdacontext.FunctionName
	}
	if logName == "" {
		logName = "cost-reporter"
	}
	svc := report.New(report.Deps{
		Leases: store.Leases(),
		Costs: costs.NewChain(cfg, env[names.EnvNamespace], env[names.EnvHubAccountID], "cost-reporter",
			poolparam.New(ssm.NewFromConfig(cfg), env[names.EnvAccountPoolParam], 0, nil)),
		// The emulator serves buckets by path, not by host name.
		Objects: objects.New(s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = awsOpts.Endpoint != "" })),
		Events:  bus.New(eventbridge.NewFromConfig(cfg), env[names.EnvEventBus]),
		Bucket:  env[names.EnvReportBucket],
		LogName: logName,
	})
	slog.Info("cost-reporter configured", "env", env, "log_name", logName)
	lambda.StartWithOptions((&report.Handler{Service: svc, Now: time.Now}).Handle,
		lambda.WithDisallowUnknownFields(true))
}
