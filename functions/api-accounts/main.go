// Command api-accounts serves the /accounts routes of the REST API.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/apiwire/storewire"
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
	"github.com/isb-go/isb/functions/internal/boot/apiboot"
)

func main() {
	env, more, cfg := apiboot.Start(
		"api-accounts",
		names.EnvHubAccountID,
		names.EnvIdcAccountID,
		names.EnvAccountPoolParam,
		names.EnvIdcConfigParam,
	)
	hub, idc, param := more[names.EnvHubAccountID], more[names.EnvIdcAccountID], more[names.EnvAccountPoolParam]
	// Eject revokes access through the same role chain as the lifecycle
	// manager.
	clients := chain.New(cfg, env.Namespace, hub, param, more[names.EnvIdcConfigParam])
	access := lifecycle.NewReconciler(clients.Lifecycle())
	sm, conf := secretsmanager.NewFromConfig(cfg), apiwire.Config(env)
	lambda.Start(storewire.Serve(cfg, sm, env, func(store *ddbstore.Store) (*httpapi.Server, error) {
		svc := pool.New(pool.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Config: conf,
			Pool: clients.PoolParam, Org: orgs.NewChain(cfg, env.Namespace, hub, "api-accounts", clients.PoolParam),
			Outbox: outbox.New(
				store.Outbox(),
				bus.New(eventbridge.NewFromConfig(cfg), env.EventBus),
			), Access: access, Pages: store.Pages(), HubAccountID: hub, IdcAccountID: idc, Now: time.Now})
		return httpapi.NewServer(
			routes.Accounts,
			apiwire.Verifier(sm, env, store.Sessions()),
			conf,
			accountsapi.Handlers(svc),
		)
	}))
}
