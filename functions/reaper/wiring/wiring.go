// Package wiring builds the reaper: the overdue-lease query of the store
// and the leasing service's termination, on the boot clock (local mode's
// advanceable clock drives it).
package wiring

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/reaper"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/boot/bootconf"
	"github.com/isb-go/isb/functions/boot/bootstore"
)

// Function is the reaper.
var Function = boot.For(names.LambdaReaper, build, bootconf.Port)

func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	store := bootstore.Store(cfg, env)
	svc := leasing.New(leasing.Deps{Leases: store.Leases(), Granter: store, Templates: store.Templates(),
		Config: bootconf.Source(env), Outbox: bootstore.Outbox(cfg, env, store), Now: now, NewID: uuid.NewString})
	r := reaper.Reaper{Leases: store.Leases(), Ender: svc, Now: now}
	slog.Info("reaper configured", "env", env)
	return func(ctx context.Context, _ json.RawMessage) (reaper.Result, error) {
		// Any scheduler payload starts one run; a run is idempotent.
		return r.Run(ctx)
	}, nil
}
