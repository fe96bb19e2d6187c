// Command lease-monitor is the hourly lease monitor (see common/monitor):
// EventBridge Scheduler invokes it; each invocation is one pass over the
// Active and Frozen leases, the requests pending approval and the pool
// gauges.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/costs"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/monitor"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/functions/internal/boot"
)

func main() {
	keys := []string{names.EnvNamespace, names.EnvLeaseTable, names.EnvAccountTable, names.EnvOutboxTable,
		names.EnvEventBus, names.EnvHubAccountID, names.EnvAccountPoolParam}
	// No network here: the AWS config resolves credentials lazily, and the
	// pool parameter and the role chain are read on the first pass.
	env, cfg, _ := boot.Start("lease-monitor", keys...)
	ns := env[names.EnvNamespace]
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), ddbstore.Tables{Leases: env[names.EnvLeaseTable],
		Accounts: env[names.EnvAccountTable], Outbox: env[names.EnvOutboxTable]}, nil)
	pool := poolparam.New(ssm.NewFromConfig(cfg), env[names.EnvAccountPoolParam], 0, nil)
	svc := &monitor.Service{
		Leases: store.Leases(), Accounts: store.Accounts(),
		Costs:     costs.NewChain(cfg, ns, env[names.EnvHubAccountID], "lease-monitor", pool),
		Config:    appconfig.New(appconfig.NewExtension(ns), 0, nil),
		Outbox:    outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), env[names.EnvEventBus])),
		Namespace: ns, Metrics: os.Stdout, Log: slog.Default(),
	}
	slog.Info("lease-monitor configured", "env", env)
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (monitor.Summary, error) {
		// Any scheduler payload starts one pass; the pass is idempotent,
		// so the scheduler's retries are safe.
		return svc.Run(ctx, time.Now().UTC())
	})
}
