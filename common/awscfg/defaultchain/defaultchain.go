// Package defaultchain builds an aws.Config with the SDK's whole default
// chain (shared config files, SSO, web identity, the container and IMDS
// endpoints), for tools that run where credentials are not in the
// environment: the cleaner in CodeBuild. Functions use awscfg.Load, which
// does not link that chain.
package defaultchain

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/isb-go/isb/common/awscfg"
)

// Load builds the aws.Config from the default chain and o. It does no
// network work: credentials are resolved lazily on the first call.
func Load(ctx context.Context, o awscfg.Options) (aws.Config, error) {
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
