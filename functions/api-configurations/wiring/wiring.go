// Package wiring builds GET /configurations: the configuration view over
// AppConfig and the pool parameter. It keeps no state, so it reads no
// page-token secret and needs only the sessions table.
package wiring

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/configview"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-configurations/configapi"
	"github.com/isb-go/isb/functions/boot"
)

// Function serves GET /configurations of the REST API.
var Function = boot.Function{
	Name:  names.LambdaAPIConfigurations,
	Needs: names.LambdaEnv(names.LambdaAPIConfigurations),
	Wants: []string{appconfig.ExtensionPortEnv},
	Build: build,
}

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	e := apiwire.EnvFrom(env)
	keys, conf := apiwire.Keys(secretsmanager.NewFromConfig(cfg), e), apiwire.Config(e)
	svc := configview.New(conf, poolparam.New(paramstore.New(cfg), env[names.EnvAccountPoolParam], 0, nil))
	srv, err := httpapi.NewServer(routes.Configurations, apiwire.Verifier(keys, e,
		ddbstore.NewSessionStore(dynamodb.NewFromConfig(cfg), e.Tables.Sessions, nil)), conf, configapi.Handlers(svc))
	if err != nil {
		return nil, err
	}
	// Nothing to build on the first request, but the keys and the
	// configuration load at once.
	return apiwire.Lazy(
		func(context.Context) (*httpapi.Server, error) { return srv, nil },
		apiwire.Preload(keys, conf)...), nil
}
