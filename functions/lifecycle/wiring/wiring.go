// Package wiring builds the lifecycle manager's handler: the SQS consumer
// over the lifecycle service, its store, outbox and role chain.
package wiring

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/lifecycle/chain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/lifecycle/consumer"
)

// Function is the lifecycle manager.
var Function = boot.Function{
	Name:  names.LambdaLifecycle,
	Needs: names.LambdaEnv(names.LambdaLifecycle),
	Wants: []string{appconfig.ExtensionPortEnv},
	Build: build,
}

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), ddbstore.Tables{Leases: env[names.EnvLeaseTable],
		Accounts: env[names.EnvAccountTable], Outbox: env[names.EnvOutboxTable]}, nil)
	svc := lifecycle.New(lifecycle.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Pair: store,
		Config: appconfig.New(appconfig.NewExtension(env[names.EnvNamespace], env[appconfig.ExtensionPortEnv]), 0, nil),
		Outbox: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), env[names.EnvEventBus])),
		AWS: lifecycle.NewReconciler(chain.New(cfg, env[names.EnvNamespace], env[names.EnvHubAccountID],
			env[names.EnvAccountPoolParam], env[names.EnvIdcConfigParam]).Lifecycle()),
		Now: time.Now})
	return (&consumer.Handler{Service: svc}).Handle, nil
}
