// Command api-leases serves the /leases routes of the REST API.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/apiwire/storewire"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-leases/leasesapi"
	"github.com/isb-go/isb/functions/internal/boot/apiboot"
)

func main() {
	env, _, cfg := apiboot.Start("api-leases")
	sm, conf := secretsmanager.NewFromConfig(cfg), apiwire.Config(env)
	lambda.Start(storewire.Serve(cfg, sm, env, func(store *ddbstore.Store) (*httpapi.Server, error) {
		svc := leasing.New(
			leasing.Deps{Leases: store.Leases(), Granter: store, Templates: store.Templates(), Config: conf,
				Outbox: outbox.New(
					store.Outbox(),
					bus.New(eventbridge.NewFromConfig(cfg), env.EventBus),
				), Now: time.Now, NewID: uuid.NewString},
		)
		return httpapi.NewServer(
			routes.Leases,
			apiwire.Verifier(sm, env, store.Sessions()),
			conf,
			leasesapi.Handlers(svc),
		)
	}))
}
