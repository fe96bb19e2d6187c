// Command cleanup-watchdog makes sure no account stays in CleanUp
// forever: on a Step Functions status change of the cleanup state machine
// (FAILED, TIMED_OUT, ABORTED) and on its schedule (a sweep of every
// account in CleanUp) it reports a cleanup that ended without reporting as
// AccountCleanupFailed (see cleanup.Watchdog).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/sfnrun"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	w, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cleanup-watchdog:", err)
		os.Exit(1)
	}
	lambda.Start((&handler{w: w}).Handle)
}

func setup() (*cleanup.Watchdog, error) {
	ns := os.Getenv(names.EnvNamespace)
	busName := os.Getenv(names.EnvEventBus)
	maxAge, err := strconv.Atoi(os.Getenv(names.EnvWatchdogMaxAgeMinutes))
	if ns == "" || busName == "" || err != nil || maxAge <= 0 {
		return nil, fmt.Errorf(
			"need %s, %s and a positive %s",
			names.EnvNamespace,
			names.EnvEventBus,
			names.EnvWatchdogMaxAgeMinutes,
		)
	}
	cfg, err := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	tables := ddbstore.TablesFor(ns)
	for env, dst := range map[string]*string{names.EnvAccountTable: &tables.Accounts,
		names.EnvOutboxTable: &tables.Outbox} {
		if v := os.Getenv(env); v != "" {
			*dst = v
		}
	}
	// The watchdog lists accounts but never returns page tokens to
	// anyone, so a per-process key is enough to seal them.
	codec, err := ddbstore.NewPageCodec([]byte("cleanup-watchdog-" + strconv.FormatInt(time.Now().UnixNano(), 36)))
	if err != nil {
		return nil, err
	}
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), tables, codec)
	slog.Info(
		"cleanup-watchdog configured",
		"account_table",
		tables.Accounts,
		"bus",
		busName,
		"max_age_minutes",
		maxAge,
	)
	return &cleanup.Watchdog{
		Accounts: store.Accounts(), Executions: sfnrun.New(sfn.NewFromConfig(cfg)),
		Outbox: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), busName)),
		Now:    time.Now, MaxAge: time.Duration(maxAge) * time.Minute, Namespace: ns,
		Metrics: os.Stdout, Log: slog.Default(),
	}, nil
}
