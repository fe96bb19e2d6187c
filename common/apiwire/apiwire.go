// Package apiwire holds what the API functions' composition roots share:
// their environment, the store with its page-token key, the token verifier,
// the configuration source, and the lazy start that keeps every network
// call out of the cold start until the first request. It links Secrets
// Manager only; the store lives in storewire, so a function that keeps no
// state does not link DynamoDB.
package apiwire

import (
	"context"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/names"
)

// Tables names the tables, as the environment gives them.
type Tables struct {
	Leases, Accounts, Templates, Outbox string
	// Sessions holds the revoked session tokens every handler checks.
	Sessions string
}

// Env is the configuration every API function reads from its environment.
type Env struct {
	Namespace       string
	Tables          Tables
	EventBus        string
	SessionKeys     string
	PageTokenSecret string
	// ExtensionPort is the AppConfig extension's port; empty means its
	// default.
	ExtensionPort string
}

// EnvFrom reads Env from a function's environment (the keys of
// names.LambdaEnv and, when set, appconfig.ExtensionPortEnv); the caller
// has checked that the keys it needs are there.
func EnvFrom(env map[string]string) Env {
	return Env{
		Namespace: env[names.EnvNamespace],
		Tables: Tables{
			Leases: env[names.EnvLeaseTable], Accounts: env[names.EnvAccountTable],
			Templates: env[names.EnvLeaseTemplateTable], Outbox: env[names.EnvOutboxTable],
			Sessions: env[names.EnvSessionTable],
		},
		EventBus:        env[names.EnvEventBus],
		SessionKeys:     env[names.EnvSessionKeys],
		PageTokenSecret: env[names.EnvPageTokenSecret],
		ExtensionPort:   env[appconfig.ExtensionPortEnv],
	}
}

// SecretsClient is the one Secrets Manager call the functions make.
type SecretsClient interface {
	GetSecretValue(
		ctx context.Context,
		in *secretsmanager.GetSecretValueInput,
		opts ...func(*secretsmanager.Options),
	) (*secretsmanager.GetSecretValueOutput, error)
}

// Keys returns the published public keys (lazy, cached) the verifier
// checks tokens against.
func Keys(sm SecretsClient, e Env) *auth.SecretKeys {
	return auth.NewSecretKeys(sm, e.SessionKeys, 0, nil)
}

// Verifier returns the token verifier over keys that refuses the tokens on
// the revocation list (logout).
func Verifier(keys auth.KeySource, e Env, revoked auth.RevocationList) *auth.Verifier {
	return auth.NewVerifier(keys, auth.Issuer(e.Namespace), auth.Audience(e.Namespace), nil).CheckRevocations(revoked)
}

// Preload is what the first request of an API function loads besides its
// store: the published keys and the global configuration, for Lazy to
// fetch concurrently.
func Preload(keys auth.KeySource, conf *appconfig.Source) []func(context.Context) error {
	return []func(context.Context) error{
		func(ctx context.Context) error { _, err := keys.Keys(ctx); return err },
		func(ctx context.Context) error { _, err := conf.Global(ctx); return err },
	}
}

// Config returns the configuration source the functions use on AWS: the
// AppConfig Lambda extension (see common/appconfig).
func Config(e Env) *appconfig.Source {
	return appconfig.New(appconfig.NewExtension(e.Namespace, e.ExtensionPort), 0, nil)
}

// Handler is what lambda.Start runs for an API function.
type Handler func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// Lazy defers build to the first request, so the cold start does no
// network work. On that request build and every preload run concurrently
// (one round trip instead of one per secret and configuration); a preload
// that fails is only logged, since the request that needs its value reads
// it again and reports. A failed build answers with a 500 and is tried
// again on the next request.
func Lazy(build func(ctx context.Context) (*httpapi.Server, error), preload ...func(context.Context) error) Handler {
	var mu sync.Mutex
	var srv *httpapi.Server
	return func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		mu.Lock()
		if srv == nil {
			s, err := buildWith(ctx, build, preload)
			if err != nil {
				mu.Unlock()
				slog.ErrorContext(ctx, "API function could not start", "error", err)
				return httpapi.InternalError(), nil
			}
			srv = s
		}
		mu.Unlock()
		return srv.Handle(ctx, e)
	}
}

func buildWith(ctx context.Context, build func(context.Context) (*httpapi.Server, error),
	preload []func(context.Context) error) (*httpapi.Server, error) {
	var wg sync.WaitGroup
	for _, p := range preload {
		wg.Go(func() {
			if err := p(ctx); err != nil {
				slog.WarnContext(ctx, "API function preload failed", "error", err)
			}
		})
	}
	defer wg.Wait()
	return build(ctx)
}
