// Package wiring builds the /leases API function: the leasing service over
// the store and the outbox.
package wiring

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/apiwire/storewire"
	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-leases/leasesapi"
	"github.com/isb-go/isb/functions/boot"
)

// Function serves the /leases routes of the REST API.
var Function = boot.Function{
	Name:  names.LambdaAPILeases,
	Needs: names.LambdaEnv(names.LambdaAPILeases),
	Wants: []string{appconfig.ExtensionPortEnv},
	Build: build,
}

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	e := apiwire.EnvFrom(env)
	sm, conf := secretsmanager.NewFromConfig(cfg), apiwire.Config(e)
	keys := apiwire.Keys(sm, e)
	return storewire.Serve(cfg, sm, e, func(store *ddbstore.Store) (*httpapi.Server, error) {
		svc := leasing.New(
			leasing.Deps{Leases: store.Leases(), Granter: store, Templates: store.Templates(), Config: conf,
				Outbox: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), e.EventBus)),
				Now:    time.Now, NewID: uuid.NewString},
		)
		return httpapi.NewServer(
			routes.Leases,
			apiwire.Verifier(keys, e, store.Sessions()),
			conf,
			leasesapi.Handlers(svc),
		)
	}, apiwire.Preload(keys, conf)...), nil
}
