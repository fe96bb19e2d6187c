// Package wiring builds the lifecycle manager's handler: the SQS consumer
// over the lifecycle service, its store, outbox and role chain.
package wiring

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/lifecycle/chain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/boot/bootconf"
	"github.com/isb-go/isb/functions/boot/bootstore"
	"github.com/isb-go/isb/functions/lifecycle/consumer"
)

// Function is the lifecycle manager.
var Function = boot.For(names.LambdaLifecycle, build, bootconf.Port)

func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	store := bootstore.Store(cfg, env)
	svc := lifecycle.New(lifecycle.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Pair: store,
		Config: bootconf.Source(env),
		Outbox: bootstore.Outbox(cfg, env, store),
		AWS: lifecycle.NewReconciler(chain.New(cfg, env[names.EnvNamespace], env[names.EnvHubAccountID],
			env[names.EnvAccountPoolParam], env[names.EnvIdcConfigParam]).Manager()),
		Now: now})
	return (&consumer.Handler{Service: svc}).Handle, nil
}
