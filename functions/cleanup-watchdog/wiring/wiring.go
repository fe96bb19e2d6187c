// Package wiring builds the cleanup watchdog: the handler (handler.go) over
// cleanup.Watchdog, the account table, Step Functions and the outbox.
package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/sfnrun"
	"github.com/isb-go/isb/functions/boot"
)

// Function is the cleanup watchdog. The table names default to the
// namespace's.
var Function = boot.For(names.LambdaCleanupWatchdog, build, names.EnvAccountTable, names.EnvOutboxTable)

func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	ns, busName := env[names.EnvNamespace], env[names.EnvEventBus]
	maxAge, err := strconv.Atoi(env[names.EnvWatchdogMaxAgeMinutes])
	if err != nil || maxAge <= 0 {
		return nil, fmt.Errorf("%s must be a positive number of minutes, not %q",
			names.EnvWatchdogMaxAgeMinutes, env[names.EnvWatchdogMaxAgeMinutes])
	}
	tables := ddbstore.TablesFor(ns)
	for key, dst := range map[string]*string{
		names.EnvAccountTable: &tables.Accounts,
		names.EnvOutboxTable:  &tables.Outbox,
	} {
		if v := env[key]; v != "" {
			*dst = v
		}
	}
	// The watchdog lists accounts but hands no page token to anyone: the
	// store's per-process key is enough.
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), tables, nil)
	slog.Info(
		"cleanup-watchdog configured",
		"account_table",
		tables.Accounts,
		"bus",
		busName,
		"max_age_minutes",
		maxAge,
	)
	w := &cleanup.Watchdog{
		Accounts: store.Accounts(), Executions: sfnrun.New(sfn.NewFromConfig(cfg)),
		Outbox: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), busName)),
		Now:    now, MaxAge: time.Duration(maxAge) * time.Minute, Namespace: ns,
		Metrics: os.Stdout, Log: slog.Default(),
	}
	return (&handler{w: w}).Handle, nil
}
