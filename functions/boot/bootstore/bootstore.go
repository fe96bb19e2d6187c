// Package bootstore builds what the event and scheduled functions share:
// the store over the tables their environment names, the event bus and
// the outbox that publishes to it. It lives apart from boot so that a
// function that keeps no state does not link DynamoDB.
package bootstore

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/boot"
)

// Store returns the store over the lease, account and outbox tables env
// names (a table the function did not declare stays unnamed). These
// functions hand no page token to anyone, so the store's per-process key
// is enough.
func Store(cfg aws.Config, env boot.Env) *ddbstore.Store {
	return ddbstore.New(dynamodb.NewFromConfig(cfg), ddbstore.Tables{Leases: env[names.EnvLeaseTable],
		Accounts: env[names.EnvAccountTable], Outbox: env[names.EnvOutboxTable]}, nil)
}

// Bus returns the publisher to the event bus env names.
func Bus(cfg aws.Config, env boot.Env) *bus.Publisher {
	return bus.New(eventbridge.NewFromConfig(cfg), env[names.EnvEventBus])
}

// Outbox returns the relay over the store's outbox that publishes to the
// event bus env names.
func Outbox(cfg aws.Config, env boot.Env, store *ddbstore.Store) *outbox.Relay {
	return outbox.New(store.Outbox(), Bus(cfg, env))
}
