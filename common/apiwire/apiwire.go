// Package apiwire holds what the API functions' composition roots share:
// their environment, the store with its page-token key, the token verifier,
// the configuration source, and the lazy start that keeps every network
// call out of the cold start until the first request. It links Secrets
// Manager only; the store lives in storewire, so a function that keeps no
// state does not link DynamoDB.
package apiwire

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
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
}

// LoadEnv reads Env; every variable is required and a missing one is named.
func LoadEnv() (Env, error) {
	var missing []string
	get := func(k string) string {
		v, ok := os.LookupEnv(k)
		if !ok || v == "" {
			missing = append(missing, k)
		}
		return v
	}
	e := Env{
		Namespace: get(names.EnvNamespace),
		Tables: Tables{
			Leases: get(names.EnvLeaseTable), Accounts: get(names.EnvAccountTable),
			Templates: get(names.EnvLeaseTemplateTable), Outbox: get(names.EnvOutboxTable),
			Sessions: get(names.EnvSessionTable),
		},
		EventBus:        get(names.EnvEventBus),
		SessionKeys:     get(names.EnvSessionKeys),
		PageTokenSecret: get(names.EnvPageTokenSecret),
	}
	if len(missing) > 0 {
		return e, fmt.Errorf("missing environment variables: %s", strings.Join(missing, ", "))
	}
	return e, nil
}

// SecretsClient is the one Secrets Manager call the functions make.
type SecretsClient interface {
	GetSecretValue(
		ctx context.Context,
		in *secretsmanager.GetSecretValueInput,
		opts ...func(*secretsmanager.Options),
	) (*secretsmanager.GetSecretValueOutput, error)
}

// Verifier returns the token verifier over the published public keys (cached, lazy)
// that refuses the tokens on the revocation list (logout).
func Verifier(sm SecretsClient, e Env, revoked auth.RevocationList) *auth.Verifier {
	return auth.NewVerifier(auth.NewSecretKeys(sm, e.SessionKeys, 0, nil), auth.Issuer(e.Namespace), auth.Audience(
		e.Namespace), nil).
		CheckRevocations(revoked)
}

// Config returns the configuration source the functions use on AWS: the
// AppConfig Lambda extension (see common/appconfig).
func Config(e Env) *appconfig.Source {
	return appconfig.New(appconfig.NewExtension(e.Namespace), 0, nil)
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
