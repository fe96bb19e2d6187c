// Package storewire builds the DynamoDB store an API function uses, with
// the page-token key read from its secret.
package storewire

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
)

// Store reads the page-token secret and returns the store over the tables.
func Store(ctx context.Context, db *dynamodb.Client, sm apiwire.SecretsClient, e apiwire.Env) (*ddbstore.Store, error) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(e.PageTokenSecret)})
	if err != nil {
		return nil, fmt.Errorf("read page token secret: %w", err)
	}
	codec, err := ddbstore.NewPageCodec([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		return nil, fmt.Errorf("page token secret: %w", err)
	}
	t := e.Tables
	return ddbstore.New(
		db,
		ddbstore.Tables{
			Leases:    t.Leases,
			Accounts:  t.Accounts,
			Templates: t.Templates,
			Outbox:    t.Outbox,
			Sessions:  t.Sessions,
		},
		codec,
	), nil
}

// Serve is the handler of an API function over the store: on the first
// request it reads the page-token secret, builds the store and hands it to
// build for the server, while the preloads run (apiwire.Lazy); nothing
// touches the network at start.
func Serve(
	cfg aws.Config,
	sm apiwire.SecretsClient,
	e apiwire.Env,
	build func(*ddbstore.Store) (*httpapi.Server, error),
	preload ...func(context.Context) error,
) apiwire.Handler {
	return apiwire.Lazy(func(ctx context.Context) (*httpapi.Server, error) {
		store, err := Store(ctx, dynamodb.NewFromConfig(cfg), sm, e)
		if err != nil {
			return nil, err
		}
		return build(store)
	}, preload...)
}
