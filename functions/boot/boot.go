// Package boot is the one way a function starts. Each function declares a
// Function: its name, the environment it needs and how its handler is
// built from that environment and an AWS configuration. In Lambda, Main
// sets up JSON logging, reads the environment (every missing key named at
// once), loads the AWS configuration and hands the handler to the Lambda
// runtime; local mode builds the same handlers in one process with an
// environment of its own. Building a handler never touches the network.
package boot

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/names"
)

// Env is a function's environment: the keys it declared, with their values.
type Env map[string]string

// clockKey carries the clock a function is built with.
type clockKey struct{}

// WithClock returns ctx carrying now: the functions built with it read the
// platform's time from now instead of the wall clock. Local mode hands
// every function one adjustable clock this way, so a test can age leases
// without waiting; in Lambda nothing sets it.
func WithClock(ctx context.Context, now func() time.Time) context.Context {
	return context.WithValue(ctx, clockKey{}, now)
}

// Clock is the clock Build is handed in ctx: time.Now unless WithClock
// set another. It travels in the build context rather than in Env so that
// Env stays the plain environment Lambda gives.
func Clock(ctx context.Context) func() time.Time {
	if now, ok := ctx.Value(clockKey{}).(func() time.Time); ok && now != nil {
		return now
	}
	return time.Now
}

// Function is one Lambda function.
type Function struct {
	// Name is the function's directory under functions/ (names.Functions).
	Name string
	// Needs are the environment keys the function cannot start without.
	Needs []string
	// Wants are keys read when set; an unset one is simply absent from
	// Env (optional settings with a default, such as the AppConfig
	// extension's port).
	Wants []string
	// Build returns the handler: anything lambda.NewHandler accepts. It
	// must not call AWS; clients load what they need on the first event.
	Build func(ctx context.Context, env Env, cfg aws.Config) (any, error)
}

// For is the function name (names.Functions): it needs the keys
// names.LambdaEnv lists for it and wants those given.
func For(
	name string,
	build func(ctx context.Context, env Env, cfg aws.Config) (any, error),
	wants ...string,
) Function {
	return Function{Name: name, Needs: names.LambdaEnv(name), Wants: wants, Build: build}
}

// Main starts f in the Lambda runtime; a function that cannot start logs
// why and exits.
func Main(f Function) {
	slog.SetDefault(lambdacontext.NewLogger())
	env, missing := f.Env(os.Getenv)
	if len(missing) > 0 {
		slog.Error(f.Name+" cannot start: missing environment", "needs", f.Needs, "missing", missing)
		os.Exit(1)
	}
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.FromEnv())
	if err != nil {
		fail(f.Name, err)
	}
	h, err := f.Build(ctx, env, cfg)
	if err != nil {
		fail(f.Name, err)
	}
	lambda.Start(h)
}

// Env reads f's environment through getenv: every key of Needs (the
// empty ones named in missing) and each key of Wants that is set.
func (f Function) Env(getenv func(string) string) (env Env, missing []string) {
	env, missing = Lookup(getenv, f.Needs...)
	for _, k := range f.Wants {
		if v := getenv(k); v != "" {
			env[k] = v
		}
	}
	return env, missing
}

// Lookup reads keys through getenv and names the empty ones.
func Lookup(getenv func(string) string, keys ...string) (env Env, missing []string) {
	env = make(Env, len(keys))
	for _, k := range keys {
		if env[k] = getenv(k); env[k] == "" {
			missing = append(missing, k)
		}
	}
	return env, missing
}

func fail(function string, err error) {
	slog.Error(function+" cannot start", "error", err)
	os.Exit(1)
}
