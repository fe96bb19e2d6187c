package auth_test

import (
	"bytes"
	"context"
	"errors"
	"github.com/isb-go/isb/common/appconfig/hosted"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	isbappconfig "github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/auth/kmssign"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/authorizer/gate"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

// globalProfile creates the global configuration profile in the emulator's
// AppConfig and returns a function publishing a new version of it.
func globalProfile(t *testing.T, api *appconfig.Client) (*hosted.Hosted, func(yaml string)) {
	t.Helper()
	ctx := t.Context()
	app, err := api.CreateApplication(
		ctx,
		&appconfig.CreateApplicationInput{
			Name: aws.String(names.Physical(fixture.Namespace, names.AppConfigApplication)),
		},
	)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := api.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{
		ApplicationId: app.Id, Name: aws.String(names.GlobalConfigProfile), LocationUri: aws.String("hosted"),
	})
	if err != nil {
		t.Fatal(err)
	}
	publish := func(yaml string) {
		t.Helper()
		if _, err := api.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{
			ApplicationId: app.Id, ConfigurationProfileId: prof.Id, Content: []byte(yaml), ContentType: aws.String(
				"application/x-yaml"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	return hosted.New(
		api,
		aws.ToString(app.Id),
		map[string]string{names.GlobalConfigProfile: aws.ToString(prof.Id)},
	), publish
}

// TestAuthorizerAgainstTheEmulator runs the authorizer as main.go composes
// it (keys from Secrets Manager, configuration from AppConfig), only the
// configuration fetcher swapped for the hosted one local mode uses.
func TestAuthorizerAgainstTheEmulator(t *testing.T) {
	cfg := emulator.Config(t)
	sm := secretsmanager.NewFromConfig(cfg)
	createSecret(t, cfg, time.Now().Add(-time.Hour))
	hosted, publish := globalProfile(t, appconfig.NewFromConfig(cfg))
	publish(strings.Replace(string(config.DefaultGlobalYAML()), "maintenanceMode: true", "maintenanceMode: false", 1))

	var metrics bytes.Buffer
	clock := &fixture.Clock{T: time.Now()}
	keys := auth.NewSecretKeys(sm, secretName, 0, clock.Now)
	h := gate.New(
		auth.NewVerifier(keys, issuer, audience, clock.Now),
		isbappconfig.New(hosted, time.Nanosecond, clock.Now), // no caching: each case sees the newest version
		gate.NewEMFCounter(names.MetricNamespace(fixture.Namespace), &metrics, clock.Now),
	)
	req := func(method, path, authz string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
		return events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type: "REQUEST", HTTPMethod: method, Path: path, Headers: map[string]string{"Authorization": authz},
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:api/prod/" + method + path,
		}
	}
	effect := func(t *testing.T, r events.APIGatewayCustomAuthorizerRequestTypeRequest) string {
		t.Helper()
		clock.T = clock.T.Add(time.Second)
		resp, err := h.Handle(context.Background(), r)
		if errors.Is(err, gate.ErrUnauthorized) {
			return "401"
		}
		if err != nil {
			return "500"
		}
		return resp.PolicyDocument.Statement[0].Effect
	}
	user := issue(t, cfg, keys, clock.T)
	set, _ := keys.Keys(t.Context())
	adminTok, err := auth.Issue(
		t.Context(),
		kmssign.Signer{Client: kms.NewFromConfig(cfg)},
		set.Current.ID,
		auth.Caller{Email: "root@example.com", Roles: []routes.Role{routes.Admin}},
		issuer,
		audience,
		time.Hour,
		clock.T,
	)
	if err != nil {
		t.Fatal(err)
	}
	admin := "Bearer " + adminTok

	if got := effect(t, req("GET", "/leases", user)); got != "Allow" {
		t.Errorf("user lists leases: %s", got)
	}
	if got := effect(t, req("GET", "/accounts", user)); got != "Deny" {
		t.Errorf("user lists accounts: %s", got)
	}
	publish(strings.Replace(string(config.DefaultGlobalYAML()), "maintenanceMode: false", "maintenanceMode: true", 1))
	if got := effect(t, req("GET", "/leases", user)); got != "Deny" {
		t.Errorf("user lists leases in maintenance mode: %s", got)
	}
	if got := effect(t, req("GET", "/configurations", user)); got != "Allow" {
		t.Errorf("user reads the configuration in maintenance mode: %s", got)
	}
	if got := effect(t, req("GET", "/accounts", admin)); got != "Allow" {
		t.Errorf("admin in maintenance mode: %s", got)
	}
	if metrics.Len() != 0 {
		t.Errorf("denials published fault metrics: %s", metrics.String())
	}

	t.Run("a deleted secret is a fault, counted once per request", func(t *testing.T) {
		if _, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(secretName),
			ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		clock.T = clock.T.Add(auth.DefaultKeyTTL) // the cached keys expire
		if got := effect(t, req("GET", "/leases", user)); got != "500" {
			t.Errorf("outcome %s, want 500", got)
		}
		if n := strings.Count(metrics.String(), `"AuthorizerErrors":1`); n != 1 {
			t.Errorf("%d fault metrics, want 1: %s", n, metrics.String())
		}
	})
}
