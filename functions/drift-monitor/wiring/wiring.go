// Package wiring builds the drift monitor: the drift service over the
// account table, Organizations through the role chain, and the lifecycle
// manager's reconcile path to complete a transition left half-way.
package wiring

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/drift"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/lifecycle/chain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/boot/bootstore"
)

// Function is the drift monitor.
var Function = boot.For(names.LambdaDriftMonitor, build, names.EnvDriftGraceSeconds)

// build does no network work: the shared parameters and the role chain
// are read on the first scan.
func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	ns := env[names.EnvNamespace]
	var grace time.Duration // drift.DefaultGrace
	if v, ok := env[names.EnvDriftGraceSeconds]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s=%q: a whole number of seconds, at least 1", names.EnvDriftGraceSeconds, v)
		}
		grace = time.Duration(n) * time.Second
	}
	store, publisher := bootstore.Store(cfg, env), bootstore.Bus(cfg, env)
	clients := chain.New(cfg, ns, env[names.EnvHubAccountID],
		env[names.EnvAccountPoolParam], env[names.EnvIdcConfigParam])
	// Only the lifecycle's reconcile path runs here (completing a
	// transition left half-way); it reads the account and lease rows and
	// changes Organizations and Identity Center, never the global
	// configuration, so none is given.
	reconciler := lifecycle.New(lifecycle.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Pair: store,
		Outbox: outbox.New(store.Outbox(), publisher), AWS: lifecycle.NewReconciler(clients.Lifecycle()),
		Now: now})
	svc := drift.New(drift.Deps{Accounts: store.Accounts(), Org: clients, Complete: reconciler, Bus: publisher,
		Metrics: os.Stdout, Namespace: ns, Grace: grace})
	slog.Info("drift-monitor configured", "env", env)
	return func(ctx context.Context, _ json.RawMessage) (drift.Summary, error) {
		// Any scheduler payload starts one scan; a scan is idempotent, so
		// the scheduler's retries are safe.
		return svc.Scan(ctx, now().UTC())
	}, nil
}
