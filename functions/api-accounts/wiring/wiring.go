// Package wiring builds the /accounts API function: the pool service over
// the store, the pool parameter, the Organizations role chain and the
// lifecycle manager's reconciler (an eject revokes access through it).
package wiring

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/apiwire/storewire"
	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/lifecycle/chain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/orgs"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/pool"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-accounts/accountsapi"
	"github.com/isb-go/isb/functions/boot"
)

// Function serves the /accounts routes of the REST API.
var Function = boot.For(names.LambdaAPIAccounts, build, appconfig.ExtensionPortEnv)

func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	e := apiwire.EnvFrom(env)
	hub, idc, param := env[names.EnvHubAccountID], env[names.EnvIdcAccountID], env[names.EnvAccountPoolParam]
	clients := chain.New(cfg, e.Namespace, hub, param, env[names.EnvIdcConfigParam])
	access := lifecycle.NewReconciler(clients.Lifecycle())
	return storewire.API(cfg, e, routes.Accounts,
		func(store *ddbstore.Store, conf *appconfig.Source) map[string]httpapi.HandlerFunc {
			return accountsapi.Handlers(pool.New(pool.Deps{Accounts: store.Accounts(), Leases: store.Leases(),
				Config: conf, Pool: clients.PoolParam,
				Org:    orgs.NewChain(cfg, e.Namespace, hub, names.LambdaAPIAccounts, clients.PoolParam),
				Outbox: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), e.EventBus)), Access: access,
				Pages: store.Pages(), HubAccountID: hub, IdcAccountID: idc, Now: now}))
		}), nil
}
