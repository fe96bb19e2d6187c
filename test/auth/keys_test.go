// Package auth_test runs the token verifier's Secrets Manager key source and
// the JWT rotation function against the emulator.
package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/jwt-rotator/rotator"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

func TestMain(m *testing.M) { emulator.Main(m) }

var (
	secretName = names.Physical(fixture.Namespace, names.JwtSecret)
	issuer     = auth.Issuer(fixture.Namespace)
	audience   = auth.Audience(fixture.Namespace)
	bob        = auth.Caller{Email: "bob@example.com", Name: "Bob", Roles: []routes.Role{routes.User}}
)

// countingClient counts GetSecretValue calls on the real client.
type countingClient struct {
	*secretsmanager.Client
	gets int
}

func (c *countingClient) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.gets++
	return c.Client.GetSecretValue(ctx, in, opts...)
}

// createSecret makes the JWT secret as the Compute stack does: a generated
// 64-character alphanumeric string.
func createSecret(t *testing.T, sm *secretsmanager.Client) {
	t.Helper()
	pw, err := sm.GetRandomPassword(t.Context(), &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(64), ExcludePunctuation: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(secretName), SecretString: pw.RandomPassword}); err != nil {
		t.Fatal(err)
	}
}

// rotate runs the four rotation steps, as Secrets Manager does.
func rotate(t *testing.T, sm *secretsmanager.Client, token string) {
	t.Helper()
	r := rotator.New(sm, secretName)
	for _, step := range []string{rotator.StepCreate, rotator.StepSet, rotator.StepTest, rotator.StepFinish} {
		if err := r.Step(t.Context(), secretName, token, step); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
}

// issue signs a token for bob with the secret's current key.
func issue(t *testing.T, keys auth.KeySource, now time.Time) string {
	t.Helper()
	set, err := keys.Keys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.Issue(set.Current, bob, issuer, audience, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

func TestKeysLoadLazilyAndStayCached(t *testing.T) {
	sm := secretsmanager.NewFromConfig(emulator.Config(t))
	createSecret(t, sm)
	clock := &fixture.Clock{T: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	client := &countingClient{Client: sm}
	keys := auth.NewSecretKeys(client, secretName, 5*time.Minute, clock.Now)
	v := auth.NewVerifier(keys, issuer, audience, clock.Now)
	if client.gets != 0 {
		t.Fatalf("%d reads before the first verification, want none", client.gets)
	}
	tok := issue(t, auth.NewSecretKeys(sm, secretName, 0, nil), clock.T)
	got, err := v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != bob.Email || !got.Has(routes.User) {
		t.Errorf("caller = %+v", got)
	}
	first := client.gets // AWSCURRENT and AWSPREVIOUS
	for range 5 {
		if _, err := v.Verify(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if client.gets != first || first != 2 {
		t.Errorf("reads = %d after one load and five cached verifications, want 2", client.gets)
	}
	clock.T = clock.T.Add(5 * time.Minute)
	if _, err := v.Verify(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	if client.gets != first+2 {
		t.Errorf("reads = %d after the TTL, want a reload (%d)", client.gets, first+2)
	}
}

func TestRotationKeepsOldTokensAndAcceptsNewOnes(t *testing.T) {
	sm := secretsmanager.NewFromConfig(emulator.Config(t))
	createSecret(t, sm)
	clock := &fixture.Clock{T: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	// The authorizer's keys, warm from before the rotation.
	authorizerKeys := auth.NewSecretKeys(sm, secretName, 5*time.Minute, clock.Now)
	v := auth.NewVerifier(authorizerKeys, issuer, audience, clock.Now)
	oldToken := issue(t, auth.NewSecretKeys(sm, secretName, 0, nil), clock.T)
	if _, err := v.Verify(t.Context(), oldToken); err != nil {
		t.Fatal(err)
	}

	rotate(t, sm, "11111111-1111-4111-8111-111111111111")
	clock.T = clock.T.Add(time.Minute)
	// The SSO handler's keys, loaded after the rotation.
	ssoKeys := auth.NewSecretKeys(sm, secretName, 0, clock.Now)
	newToken := issue(t, ssoKeys, clock.T)
	set, _ := ssoKeys.Keys(t.Context())
	if set.Previous == nil || string(set.Previous) == string(set.Current) {
		t.Fatalf("after rotation: previous key missing or equal to current")
	}

	t.Run("a token signed before the rotation is still valid", func(t *testing.T) {
		if _, err := v.Verify(t.Context(), oldToken); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a warm verifier accepts a token signed with the new key at once", func(t *testing.T) {
		if _, err := v.Verify(t.Context(), newToken); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a second rotation retires the oldest key", func(t *testing.T) {
		rotate(t, sm, "22222222-2222-4222-8222-222222222222")
		clock.T = clock.T.Add(5 * time.Minute) // past the TTL: the verifier reloads
		if _, err := v.Verify(t.Context(), newToken); err != nil {
			t.Errorf("token of the previous key: %v", err)
		}
		if _, err := v.Verify(t.Context(), oldToken); !errors.Is(err, auth.ErrSignature) {
			t.Errorf("token of the retired key: err = %v, want ErrSignature", err)
		}
	})
}

func TestForgedTokensDoNotHammerSecretsManager(t *testing.T) {
	sm := secretsmanager.NewFromConfig(emulator.Config(t))
	createSecret(t, sm)
	client := &countingClient{Client: sm}
	clock := &fixture.Clock{T: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	v := auth.NewVerifier(auth.NewSecretKeys(client, secretName, 0, clock.Now), issuer, audience, clock.Now)
	forged, err := auth.Issue([]byte(strings.Repeat("k", 64)), bob, issuer, audience, time.Hour, clock.T)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := v.Verify(t.Context(), "Bearer "+forged); !errors.Is(err, auth.ErrSignature) {
			t.Fatalf("forged token: err = %v", err)
		}
	}
	if client.gets != 2 {
		t.Errorf("20 forged tokens cost %d reads, want 2 (one load, reloads rate-limited)", client.gets)
	}
	clock.T = clock.T.Add(auth.MinReloadInterval)
	_, _ = v.Verify(t.Context(), "Bearer "+forged)
	if client.gets != 4 {
		t.Errorf("after the reload interval: %d reads, want 4", client.gets)
	}
}

func TestMissingSecretIsAFault(t *testing.T) {
	sm := secretsmanager.NewFromConfig(emulator.Config(t))
	v := auth.NewVerifier(auth.NewSecretKeys(sm, secretName, 0, nil), issuer, audience, nil)
	tok, _ := auth.Issue([]byte(strings.Repeat("k", 64)), bob, issuer, audience, time.Hour, time.Now())
	_, err := v.Verify(t.Context(), "Bearer "+tok)
	if !auth.IsFault(err) {
		t.Fatalf("err = %v, want a fault (not a refusal)", err)
	}
}
