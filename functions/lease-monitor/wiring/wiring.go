// Package wiring builds the hourly lease monitor: the monitor service over
// the store, Cost Explorer through the role chain, the configuration and
// the outbox.
package wiring

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/costs"
	"github.com/isb-go/isb/common/monitor"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/boot/bootconf"
	"github.com/isb-go/isb/functions/boot/bootstore"
)

// Function is the lease monitor.
var Function = boot.For(names.LambdaLeaseMonitor, build, bootconf.Port)

// build does no network work: the pool parameter and the role chain are
// read on the first pass.
func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	ns := env[names.EnvNamespace]
	store := bootstore.Store(cfg, env)
	pool := poolparam.New(paramstore.New(cfg), env[names.EnvAccountPoolParam], 0, nil)
	svc := &monitor.Service{
		Leases: store.Leases(), Accounts: store.Accounts(),
		Costs:     costs.NewChain(cfg, ns, env[names.EnvHubAccountID], names.LambdaLeaseMonitor, pool),
		Config:    bootconf.Source(env),
		Outbox:    bootstore.Outbox(cfg, env, store),
		Namespace: ns, Metrics: os.Stdout, Log: slog.Default(),
	}
	slog.Info("lease-monitor configured", "env", env)
	return func(ctx context.Context, _ json.RawMessage) (monitor.Summary, error) {
		// Any scheduler payload starts one pass; the pass is idempotent,
		// so the scheduler's retries are safe.
		return svc.Run(ctx, now().UTC())
	}, nil
}
