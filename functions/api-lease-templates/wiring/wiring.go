// Package wiring builds the /leaseTemplates API function: the catalog
// service over the store.
package wiring

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/apiwire/storewire"
	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/catalog"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-lease-templates/templatesapi"
	"github.com/isb-go/isb/functions/boot"
)

// Function serves the /leaseTemplates routes of the REST API.
var Function = boot.Function{
	Name:  names.LambdaAPILeaseTemplates,
	Needs: names.LambdaEnv(names.LambdaAPILeaseTemplates),
	Wants: []string{appconfig.ExtensionPortEnv},
	Build: build,
}

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	e := apiwire.EnvFrom(env)
	sm, conf := secretsmanager.NewFromConfig(cfg), apiwire.Config(e)
	keys := apiwire.Keys(sm, e)
	return storewire.Serve(cfg, sm, e, func(store *ddbstore.Store) (*httpapi.Server, error) {
		svc := catalog.New(store.Templates(), conf, time.Now, uuid.NewString)
		return httpapi.NewServer(
			routes.LeaseTemplates,
			apiwire.Verifier(keys, e, store.Sessions()),
			conf,
			templatesapi.Handlers(svc),
		)
	}, apiwire.Preload(keys, conf)...), nil
}
