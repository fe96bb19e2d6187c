// Package apiboot starts the REST API functions (boot for the rest); it
// lives apart so that functions outside the API do not link the API's
// Secrets Manager and HTTP code.
package apiboot

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/functions/internal/boot"
)

// Start starts a REST API function: JSON logging, apiwire's environment
// plus the extra keys it needs, and the AWS configuration; it exits naming
// what is missing.
func Start(function string, extra ...string) (apiwire.Env, map[string]string, aws.Config) {
	slog.SetDefault(lambdacontext.NewLogger())
	env, err := apiwire.LoadEnv()
	more, missing := boot.Lookup(os.Getenv, extra...)
	if err != nil || len(missing) > 0 {
		slog.Error(function+" cannot start: missing environment", "error", err, "missing", missing)
		os.Exit(1)
	}
	cfg, err := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil {
		boot.Fail(function, err)
	}
	return env, more, cfg
}
