// Package boot is what every function's main does before its first event:
// JSON logging, the environment it needs (every missing key named at once)
// and the AWS configuration, none of which touches the network.
package boot

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/awscfg"
)

// Start sets up JSON logging and returns the values of keys and the AWS
// configuration (endpoint override included). A function that cannot
// start logs why, naming every missing key, and exits.
func Start(function string, keys ...string) (map[string]string, aws.Config, awscfg.Options) {
	slog.SetDefault(lambdacontext.NewLogger())
	env, missing := Lookup(os.Getenv, keys...)
	if len(missing) > 0 {
		slog.Error(function+" cannot start: missing environment", "needs", keys, "missing", missing)
		os.Exit(1)
	}
	opts := awscfg.FromEnv()
	cfg, err := awscfg.Load(context.Background(), opts)
	if err != nil {
		Fail(function, err)
	}
	return env, cfg, opts
}

// Lookup reads keys through getenv and names the empty ones.
func Lookup(getenv func(string) string, keys ...string) (env map[string]string, missing []string) {
	env = make(map[string]string, len(keys))
	for _, k := range keys {
		if env[k] = getenv(k); env[k] == "" {
			missing = append(missing, k)
		}
	}
	return env, missing
}

// Fail logs why the function cannot start and exits.
func Fail(function string, err error) {
	slog.Error(function+" cannot start", "error", err)
	os.Exit(1)
}
