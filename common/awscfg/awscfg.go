// Package awscfg builds the one aws.Config every function and tool uses.
// Production and tests share this constructor; tests swap only the
// endpoint and the credentials.
package awscfg

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/isb-go/isb/common/names"
)

// Options changes how the configuration is built. The zero value gives the
// default AWS chain: region and credentials from the environment.
type Options struct {
	// Region overrides the region from the environment.
	Region string
	// Endpoint sends every client to this base URL (the local emulator).
	Endpoint string
	// StaticKey and StaticSecret replace the credential chain.
	StaticKey, StaticSecret string
	// MaxAttempts caps SDK retries; 0 keeps the SDK default (3).
	MaxAttempts int
}

// FromEnv reads the endpoint override from ISB_AWS_ENDPOINT.
func FromEnv() Options {
	return Options{Endpoint: os.Getenv(names.EnvEndpoint)}
}

// Load builds the aws.Config. It does no network work: credentials are
// resolved lazily on the first call.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.StaticKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.StaticKey, o.StaticSecret, "")))
	}
	if o.MaxAttempts > 0 {
		opts = append(opts, config.WithRetryer(func() aws.Retryer {
			return retry.AddWithMaxAttempts(retry.NewStandard(), o.MaxAttempts)
		}))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	if o.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(o.Endpoint)
	}
	return cfg, nil
}
