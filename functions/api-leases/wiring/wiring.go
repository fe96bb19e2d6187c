// Package wiring builds the /leases API function: the leasing service over
// the store and the outbox.
package wiring

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/apiwire/storewire"
	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/lessee"
	"github.com/isb-go/isb/common/lessee/stsassume"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-leases/leasesapi"
	"github.com/isb-go/isb/functions/boot"
)

// Function serves the /leases routes of the REST API.
var Function = boot.For(names.LambdaAPILeases, build, appconfig.ExtensionPortEnv)

func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	e := apiwire.EnvFrom(env)
	return storewire.API(cfg, e, routes.Leases,
		func(store *ddbstore.Store, conf *appconfig.Source) map[string]httpapi.HandlerFunc {
			return leasesapi.Handlers(leasing.New(
				leasing.Deps{Leases: store.Leases(), Granter: store, Templates: store.Templates(), Config: conf,
					Outbox: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), e.EventBus)),
					Now:    now, NewID: uuid.NewString},
			), lessee.New(store.Leases(), stsassume.New(cfg, env[names.EnvNamespace], env[names.EnvHubAccountID],
				names.LambdaAPILeases), now))
		}), nil
}
