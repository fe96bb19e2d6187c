// Command outbox-relay runs on a schedule and publishes the events a
// failed delivery left in the outbox (see common/outbox), so that every
// committed change is announced in the end.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/outbox-relay/sweep"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	table, busName := os.Getenv(names.EnvOutboxTable), os.Getenv(names.EnvEventBus)
	cfg, err := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil || table == "" || busName == "" {
		slog.Error("outbox-relay cannot start: needs "+names.EnvOutboxTable+" and "+names.EnvEventBus, "error", err)
		os.Exit(1)
	}
	// The outbox is read by time, never paged: no page-token key is needed.
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), ddbstore.Tables{Outbox: table}, nil)
	s := &sweep.Sweeper{
		Relay: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), busName)),
		Now:   time.Now,
	}
	lambda.Start(s.Handle)
}
