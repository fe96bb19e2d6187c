// Command lifecycle is the account lifecycle manager: it consumes lease and
// account events from its SQS queue and carries out their side effects in
// DynamoDB, AWS Organizations and IAM Identity Center (see
// common/lifecycle).
package main

import (
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/internal/boot"
	"github.com/isb-go/isb/functions/lifecycle/consumer"
)

func main() {
	keys := []string{names.EnvNamespace, names.EnvLeaseTable, names.EnvAccountTable, names.EnvOutboxTable,
		names.EnvEventBus, names.EnvHubAccountID, names.EnvAccountPoolParam, names.EnvIdcConfigParam}
	env, cfg, _ := boot.Start("lifecycle", keys...)
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), ddbstore.Tables{Leases: env[names.EnvLeaseTable],
		Accounts: env[names.EnvAccountTable], Outbox: env[names.EnvOutboxTable]}, nil)
	svc := lifecycle.New(lifecycle.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Pair: store,
		Config: appconfig.New(appconfig.NewExtension(env[names.EnvNamespace]), 0, nil),
		Outbox: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), env[names.EnvEventBus])),
		AWS: lifecycle.NewReconciler(lifecycle.NewChainClients(cfg, env[names.EnvNamespace], env[names.EnvHubAccountID],
			env[names.EnvAccountPoolParam], env[names.EnvIdcConfigParam])),
		Now: time.Now})
	slog.Info("lifecycle configured", "env", env)
	lambda.Start((&consumer.Handler{Service: svc}).Handle)
}
