// Package wiring builds the hourly lease monitor: the monitor service over
// the store, Cost Explorer through the role chain, the configuration and
// the outbox.
package wiring

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/costs"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/monitor"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/functions/boot"
)

// Function is the lease monitor.
var Function = boot.Function{
	Name:  names.LambdaLeaseMonitor,
	Needs: names.LambdaEnv(names.LambdaLeaseMonitor),
	Wants: []string{appconfig.ExtensionPortEnv},
	Build: build,
}

// build does no network work: the pool parameter and the role chain are
// read on the first pass.
func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	ns := env[names.EnvNamespace]
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), ddbstore.Tables{Leases: env[names.EnvLeaseTable],
		Accounts: env[names.EnvAccountTable], Outbox: env[names.EnvOutboxTable]}, nil)
	pool := poolparam.New(paramstore.New(cfg), env[names.EnvAccountPoolParam], 0, nil)
	svc := &monitor.Service{
		Leases: store.Leases(), Accounts: store.Accounts(),
		Costs:     costs.NewChain(cfg, ns, env[names.EnvHubAccountID], names.LambdaLeaseMonitor, pool),
		Config:    appconfig.New(appconfig.NewExtension(ns, env[appconfig.ExtensionPortEnv]), 0, nil),
		Outbox:    outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), env[names.EnvEventBus])),
		Namespace: ns, Metrics: os.Stdout, Log: slog.Default(),
	}
	slog.Info("lease-monitor configured", "env", env)
	return func(ctx context.Context, _ json.RawMessage) (monitor.Summary, error) {
		// Any scheduler payload starts one pass; the pass is idempotent,
		// so the scheduler's retries are safe.
		return svc.Run(ctx, time.Now().UTC())
	}, nil
}
