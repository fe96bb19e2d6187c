// Package wiring builds the outbox relay: the sweeper over the outbox
// table and the event bus.
package wiring

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/outbox-relay/sweep"
)

// Function is the outbox relay.
var Function = boot.Function{
	Name:  names.LambdaOutboxRelay,
	Needs: names.LambdaEnv(names.LambdaOutboxRelay),
	Build: build,
}

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), ddbstore.Tables{Outbox: env[names.EnvOutboxTable]}, nil)
	s := &sweep.Sweeper{
		Relay: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), env[names.EnvEventBus])),
		Now:   time.Now,
	}
	return s.Handle, nil
}
