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

// Keys are the environment keys an API function over the store needs.
var Keys = []string{names.EnvNamespace, names.EnvLeaseTable, names.EnvAccountTable, names.EnvLeaseTemplateTable,
	names.EnvOutboxTable, names.EnvSessionTable, names.EnvEventBus, names.EnvSessionKeys, names.EnvPageTokenSecret}

// EnvFrom reads Env from a function's environment (the keys of Keys and,
// when set, appconfig.ExtensionPortEnv); the caller has checked that the
// keys it needs are there.
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
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Verifier returns the token verifier over the published public keys (cached, lazy)
// that refuses the tokens on the revocation list (logout).
func Verifier(sm SecretsClient, e Env, revoked auth.RevocationList) *auth.Verifier {
	return auth.NewVerifier(auth.NewSecretKeys(sm, e.SessionKeys, 0, nil), auth.Issuer(e.Namespace), auth.Audience(e.Namespace), nil).
		CheckRevocations(revoked)
}

// Config returns the configuration source the functions use on AWS: the
// AppConfig Lambda extension (see common/appconfig).
func Config(e Env) *appconfig.Source {
	return appconfig.New(appconfig.NewExtension(e.Namespace, e.ExtensionPort), 0, nil)
}

// Handler is what lambda.Start runs for an API function.
type Handler func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// Lazy defers build to the first request, so the cold start does no
// network work. A failed build answers that request with a 500 and is tried
// again on the next one.
func Lazy(build func(ctx context.Context) (*httpapi.Server, error)) Handler {
	var mu sync.Mutex
	var srv *httpapi.Server
	return func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		mu.Lock()
		if srv == nil {
			s, err := build(ctx)
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
