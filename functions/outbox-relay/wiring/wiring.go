// Package wiring builds the outbox relay: the sweeper over the outbox
// table and the event bus.
package wiring

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/boot/bootstore"
	"github.com/isb-go/isb/functions/outbox-relay/sweep"
)

// Function is the outbox relay.
var Function = boot.For(names.LambdaOutboxRelay, build)

func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	s := &sweep.Sweeper{Relay: bootstore.Outbox(cfg, env, bootstore.Store(cfg, env)), Now: now}
	return s.Handle, nil
}
