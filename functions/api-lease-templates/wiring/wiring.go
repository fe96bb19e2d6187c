// Package wiring builds the /leaseTemplates API function: the catalog
// service over the store.
package wiring

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
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
var Function = boot.For(names.LambdaAPILeaseTemplates, build, appconfig.ExtensionPortEnv)

func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	return storewire.API(cfg, apiwire.EnvFrom(env), routes.LeaseTemplates,
		func(store *ddbstore.Store, conf *appconfig.Source) map[string]httpapi.HandlerFunc {
			return templatesapi.Handlers(catalog.New(store.Templates(), conf, now, uuid.NewString))
		}), nil
}
