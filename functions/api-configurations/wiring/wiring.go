// Package wiring builds GET /configurations: the configuration view over
// AppConfig and the pool parameter. It keeps no state, so it reads no
// page-token secret and needs only the sessions table.
package wiring

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/configview"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-configurations/configapi"
	"github.com/isb-go/isb/functions/boot"
)

// Function serves GET /configurations of the REST API.
var Function = boot.Function{
	Name:  "api-configurations",
	Needs: []string{names.EnvNamespace, names.EnvAccountPoolParam, names.EnvSessionKeys, names.EnvSessionTable},
	Wants: []string{appconfig.ExtensionPortEnv},
	Build: build,
}

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	e := apiwire.EnvFrom(env)
	conf := apiwire.Config(e)
	svc := configview.New(conf, poolparam.New(ssm.NewFromConfig(cfg), env[names.EnvAccountPoolParam], 0, nil))
	srv, err := httpapi.NewServer(routes.Configurations, apiwire.Verifier(secretsmanager.NewFromConfig(cfg), e,
		ddbstore.NewSessionStore(dynamodb.NewFromConfig(cfg), e.Tables.Sessions, nil)), conf, configapi.Handlers(svc))
	if err != nil {
		return nil, err
	}
	return srv.Handle, nil
}
