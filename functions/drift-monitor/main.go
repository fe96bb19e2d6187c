// Command drift-monitor is the drift monitor (see common/drift):
// EventBridge Scheduler invokes it every six hours; each invocation is one
// scan comparing every account's OU with its recorded status.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/drift"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/lifecycle/chain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/internal/boot"
)

func main() {
	keys := []string{names.EnvNamespace, names.EnvLeaseTable, names.EnvAccountTable, names.EnvOutboxTable,
		names.EnvEventBus, names.EnvHubAccountID, names.EnvAccountPoolParam, names.EnvIdcConfigParam}
	// No network here: the AWS config resolves credentials lazily, and the
	// shared parameters and the role chain are read on the first scan.
	env, cfg, _ := boot.Start("drift-monitor", keys...)
	// The scan pages through the account table but hands no page token to
	// anyone, so a key made for this process is enough to seal them.
	codec, err := ddbstore.NewPageCodec([]byte(rand.Text()))
	if err != nil {
		boot.Fail("drift-monitor", err)
	}
	ns := env[names.EnvNamespace]
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), ddbstore.Tables{Leases: env[names.EnvLeaseTable],
		Accounts: env[names.EnvAccountTable], Outbox: env[names.EnvOutboxTable]}, codec)
	publisher := bus.New(eventbridge.NewFromConfig(cfg), env[names.EnvEventBus])
	clients := chain.New(cfg, ns, env[names.EnvHubAccountID],
		env[names.EnvAccountPoolParam], env[names.EnvIdcConfigParam])
	// Only the lifecycle's reconcile path runs here (completing a
	// transition left half-way); it reads the account and lease rows and
	// changes Organizations and Identity Center, never the global
	// configuration, so none is given.
	reconciler := lifecycle.New(lifecycle.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Pair: store,
		Outbox: outbox.New(store.Outbox(), publisher), AWS: lifecycle.NewReconciler(clients.Lifecycle()),
		Now: time.Now})
	svc := drift.New(drift.Deps{Accounts: store.Accounts(), Org: clients, Complete: reconciler, Bus: publisher,
		Metrics: os.Stdout, Namespace: ns})
	slog.Info("drift-monitor configured", "env", env)
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (drift.Summary, error) {
		// Any scheduler payload starts one scan; a scan is idempotent, so
		// the scheduler's retries are safe.
		return svc.Scan(ctx, time.Now().UTC())
	})
}
