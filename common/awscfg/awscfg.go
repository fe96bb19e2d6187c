// Package awscfg builds the one aws.Config every function and tool uses.
// Production and tests share this constructor; tests swap only the
// endpoint and the credentials.
//
// Load reads the process environment only: region and credentials are
// what the Lambda runtime (and CodeBuild's environment variables, and
// every test) put there. It does not link the SDK's config package, whose
// default chain brings the shared config files, SSO, SSO OIDC, sign-in,
// web identity and IMDS clients into every binary and costs each function
// about a millisecond of start-up. A tool that needs that chain (the
// cleaner in CodeBuild, whose credentials come from the container
// endpoint) uses package awscfg/defaultchain.
package awscfg

import (
	"cmp"
	"context"
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/isb-go/isb/common/names"
)

// Options changes how the configuration is built. The zero value gives
// the region and credentials from the environment.
type Options struct {
	// Region overrides the region from the environment.
	Region string
	// Endpoint sends every client to this base URL (the local emulator).
	Endpoint string
	// StaticKey and StaticSecret replace the credentials from the
	// environment.
	StaticKey, StaticSecret string
	// MaxAttempts caps SDK retries; 0 keeps the SDK default (3).
	MaxAttempts int
}

// FromEnv reads the endpoint override from ISB_AWS_ENDPOINT.
func FromEnv() Options {
	return Options{Endpoint: os.Getenv(names.EnvEndpoint)}
}

// ErrNoCredentials is returned by the first call that needs credentials
// when neither Options nor the environment gave any.
var ErrNoCredentials = errors.New("no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")

// Load builds the aws.Config from o and the environment, as the SDK's
// default chain reads it there: region from AWS_REGION (or
// AWS_DEFAULT_REGION), static credentials from AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (read once, as that chain
// does), the base endpoint from AWS_ENDPOINT_URL unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. It does no network work and
// never fails today; the error is kept for a loader that may.
func Load(_ context.Context, o Options) (aws.Config, error) {
	return Build(o, os.Getenv), nil
}

// Build is Load with the environment read through getenv.
func Build(o Options, getenv func(string) string) aws.Config {
	cfg := aws.Config{
		Region:      cmp.Or(o.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")),
		Credentials: credentialsFrom(o, getenv),
	}
	attempts := o.MaxAttempts
	cfg.Retryer = func() aws.Retryer {
		if attempts > 0 {
			return retry.AddWithMaxAttempts(retry.NewStandard(), attempts)
		}
		return retry.NewStandard()
	}
	if o.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(o.Endpoint)
	} else if u := getenv("AWS_ENDPOINT_URL"); u != "" &&
		!strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		cfg.BaseEndpoint = aws.String(u)
	}
	return cfg
}

func credentialsFrom(o Options, getenv func(string) string) aws.CredentialsProvider {
	v := aws.Credentials{AccessKeyID: o.StaticKey, SecretAccessKey: o.StaticSecret, Source: "StaticCredentials"}
	if o.StaticKey == "" {
		v = aws.Credentials{
			AccessKeyID:     getenv("AWS_ACCESS_KEY_ID"),
			SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
			SessionToken:    getenv("AWS_SESSION_TOKEN"),
			AccountID:       getenv("AWS_ACCOUNT_ID"),
			Source:          "EnvConfigCredentials",
		}
	}
	if v.AccessKeyID == "" || v.SecretAccessKey == "" {
		return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, ErrNoCredentials
		})
	}
	return aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return v, nil
	}))
}
