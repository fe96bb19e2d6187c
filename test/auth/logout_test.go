package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/apiwire"
	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/authorizer/gate"
	"github.com/isb-go/isb/functions/sso/signin"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

// openConfig is the global configuration with maintenance mode off.
type openConfig struct{}

func (openConfig) Global(context.Context) (config.Global, error) {
	g := config.DefaultGlobal()
	g.MaintenanceMode = false
	g.Auth.IdpSignOutURL = "https://portal.sso.example/logout"
	return g, nil
}

type noFaults struct{ n int }

func (f *noFaults) Fault(context.Context) { f.n++ }

// TestLogoutEndsTheSessionEverywhere signs out through the SSO handler and
// checks that the authorizer and an API handler, each composed as its
// main.go composes it, refuse the token from then on, with the deny-list
// in the emulator's DynamoDB.
func TestLogoutEndsTheSessionEverywhere(t *testing.T) {
	cfg := emulator.Config(t)
	sm := secretsmanager.NewFromConfig(cfg)
	createSecret(t, cfg, time.Now().Add(-time.Hour))
	db := dynamodb.NewFromConfig(cfg)
	table := names.Physical(fixture.Namespace, names.SessionTable)
	if err := ddbstore.CreateTables(t.Context(), db, ddbstore.TablesFor(fixture.Namespace)); err != nil {
		t.Fatal(err)
	}
	sessions := ddbstore.NewSessionStore(db, table, nil)
	keys := auth.NewSecretKeys(sm, secretName, 0, nil)

	faults := &noFaults{}
	authorizer := gate.New(
		auth.NewVerifier(keys, issuer, audience, nil).CheckRevocations(sessions),
		openConfig{},
		faults,
	)
	env := apiwire.Env{Namespace: fixture.Namespace, SessionKeys: secretName, Tables: apiwire.Tables{Sessions: table}}
	api, err := httpapi.NewServer(
		routes.Configurations,
		apiwire.Verifier(apiwire.Keys(sm, env), env, sessions),
		openConfig{},
		map[string]httpapi.HandlerFunc{
			"GET /configurations": func(context.Context, *httpapi.Request) (httpapi.Response, error) { return httpapi.OK("ok"), nil },
		},
	)
	if err != nil {
		t.Fatal(err)
	}
	sso := &signin.Service{
		Keys:     keys,
		Config:   openConfig{},
		Sessions: sessions,
		Issuer:   issuer,
		Audience: audience,
		Now:      time.Now,
	}

	authorize := func(token string) string {
		resp, err := authorizer.Handle(t.Context(), events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type: "REQUEST", HTTPMethod: "GET", Path: "/configurations", Headers: map[string]string{"Authorization": token},
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/configurations",
		})
		if errors.Is(err, gate.ErrUnauthorized) {
			return "401"
		}
		if err != nil {
			return "500"
		}
		return resp.PolicyDocument.Statement[0].Effect
	}
	call := func(token string) events.APIGatewayProxyResponse {
		resp, _ := api.Handle(t.Context(), get("/configurations", token))
		return resp
	}

	token, other := issue(t, cfg, keys, time.Now()), issue(t, cfg, keys, time.Now())
	if got := authorize(token); got != "Allow" {
		t.Fatalf("before logout the authorizer says %s", got)
	}
	if r := call(token); r.StatusCode != http.StatusOK {
		t.Fatalf("before logout the handler says %d %s", r.StatusCode, r.Body)
	}
	out, err := sso.Handle(t.Context(), get("/auth/logout", token))
	if err != nil || out.StatusCode != http.StatusFound ||
		out.Headers["Location"] != "https://portal.sso.example/logout" {
		t.Fatalf("logout = %d %v %v", out.StatusCode, out.Headers, err)
	}
	if got := authorize(token); got != "401" {
		t.Errorf("after logout the authorizer says %s, want 401", got)
	}
	if r := call(token); r.StatusCode != http.StatusUnauthorized ||
		!strings.Contains(r.Body, `"message":"invalid token"`) {
		t.Errorf("after logout the handler says %d %s, want 401 invalid token", r.StatusCode, r.Body)
	}
	if got := authorize(other); got != "Allow" {
		t.Errorf("another session of the same user: the authorizer says %s", got)
	}
	if faults.n != 0 {
		t.Errorf("%d authorizer faults", faults.n)
	}
}

// get is a GET of path carrying the bearer token.
func get(path, token string) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: path,
		Headers: map[string]string{"Authorization": token}}
}
