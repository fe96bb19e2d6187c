// Command api-lease-templates serves the /leaseTemplates routes of the REST API.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/apiwire/storewire"
	"github.com/isb-go/isb/common/catalog"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-lease-templates/templatesapi"
	"github.com/isb-go/isb/functions/internal/boot/apiboot"
)

func main() {
	env, _, cfg := apiboot.Start("api-lease-templates")
	sm, conf := secretsmanager.NewFromConfig(cfg), apiwire.Config(env)
	lambda.Start(storewire.Serve(cfg, sm, env, func(store *ddbstore.Store) (*httpapi.Server, error) {
		svc := catalog.New(store.Templates(), conf, time.Now, uuid.NewString)
		return httpapi.NewServer(
			routes.LeaseTemplates,
			apiwire.Verifier(sm, env, store.Sessions()),
			conf,
			templatesapi.Handlers(svc),
		)
	}))
}
