// Package wiring builds the REST API's request authorizer: the gate over
// the token verifier (published keys, revocation list), the configuration
// and the EMF counter.
package wiring

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/authorizer/gate"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/boot/bootconf"
)

// Function is the API Gateway REQUEST authorizer.
var Function = boot.For(names.LambdaAuthorizer, build, bootconf.Port)

func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	ns := env[names.EnvNamespace]
	// Nothing below calls AWS before the first event: the keys and the
	// configuration load on first use.
	keys := auth.NewSecretKeys(secretsmanager.NewFromConfig(cfg), env[names.EnvSessionKeys], auth.DefaultKeyTTL, nil)
	h := gate.New(
		// Logout puts a token's id on the deny-list: one GetItem per call.
		auth.NewVerifier(keys, auth.Issuer(ns), auth.Audience(ns), nil).
			CheckRevocations(ddbstore.NewSessionStore(dynamodb.NewFromConfig(cfg), env[names.EnvSessionTable], nil)),
		bootconf.Source(env),
		gate.NewEMFCounter(names.MetricNamespace(ns), os.Stdout, time.Now),
	)
	return h.Handle, nil
}
