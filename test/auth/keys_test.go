// Package auth_test runs the token verifier's public-key source, the KMS
// signer and the signing key rotation function against the emulator.
package auth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/auth/kmssign"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/jwt-rotator/rotator"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

var (
	secretName = names.Physical(fixture.Namespace, names.SessionKeys)
	issuer     = auth.Issuer(fixture.Namespace)
	audience   = auth.Audience(fixture.Namespace)
	bob        = auth.Caller{Email: "bob@example.com", Name: "Bob", Roles: []routes.Role{routes.User}}
)

// countingClient counts GetSecretValue calls on the real client.
type countingClient struct {
	*secretsmanager.Client
	gets int
}

func (c *countingClient) GetSecretValue(
	ctx context.Context,
	in *secretsmanager.GetSecretValueInput,
	opts ...func(*secretsmanager.Options),
) (*secretsmanager.GetSecretValueOutput, error) {
	c.gets++
	return c.Client.GetSecretValue(ctx, in, opts...)
}

// firstRotation is the version the first rotation after deployment makes.
const firstRotation = "00000000-0000-4000-8000-000000000000"

// createSecret makes the public-key secret as the Compute stack does (the
// placeholder, no key) and runs the rotation the deployment starts, at
// created: a KMS signing key, its public key published.
func createSecret(t *testing.T, cfg aws.Config, created time.Time) {
	t.Helper()
	createPlaceholder(t, secretsmanager.NewFromConfig(cfg))
	rotate(t, cfg, firstRotation, created)
}

func createPlaceholder(t *testing.T, sm *secretsmanager.Client) {
	t.Helper()
	if _, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(secretName),
		SecretString: aws.String(auth.Placeholder)}); err != nil {
		t.Fatal(err)
	}
}

// rotate runs the four rotation steps at now, as Secrets Manager does.
func rotate(t *testing.T, cfg aws.Config, token string, now time.Time) {
	t.Helper()
	if err := tryRotate(t, cfg, token, now); err != nil {
		t.Fatal(err)
	}
}

func tryRotate(t *testing.T, cfg aws.Config, token string, now time.Time) error {
	t.Helper()
	r := rotator.New(secretsmanager.NewFromConfig(cfg), kms.NewFromConfig(cfg), fixture.Namespace, secretName)
	r.Now = func() time.Time { return now }
	for _, step := range []string{rotator.StepCreate, rotator.StepSet, rotator.StepTest, rotator.StepFinish} {
		if err := r.Step(t.Context(), secretName, token, step); err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
	}
	return nil
}

// issue signs a token for bob in KMS with the current key of keys, as the
// sign-in function does.
func issue(t *testing.T, cfg aws.Config, keys auth.KeySource, now time.Time) string {
	t.Helper()
	set, err := keys.Keys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.Issue(
		t.Context(),
		kmssign.Signer{Client: kms.NewFromConfig(cfg)},
		set.Current.ID,
		bob,
		issuer,
		audience,
		time.Hour,
		now,
	)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func TestKeysLoadLazilyAndStayCached(t *testing.T) {
	cfg := emulator.Config(t)
	sm := secretsmanager.NewFromConfig(cfg)
	createSecret(t, cfg, t0.Add(-time.Hour))
	clock := &fixture.Clock{T: t0}
	client := &countingClient{Client: sm}
	keys := auth.NewSecretKeys(client, secretName, 5*time.Minute, clock.Now)
	v := auth.NewVerifier(keys, issuer, audience, clock.Now)
	if client.gets != 0 {
		t.Fatalf("%d reads before the first verification, want none", client.gets)
	}
	tok := issue(t, cfg, auth.NewSecretKeys(sm, secretName, 0, nil), clock.T)
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

func keyState(t *testing.T, k *kms.Client, id string) kmstypes.KeyState {
	t.Helper()
	d, err := k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return d.KeyMetadata.KeyState
}

func TestRotationKeepsOldTokensAndAcceptsNewOnes(t *testing.T) {
	cfg := emulator.Config(t)
	sm := secretsmanager.NewFromConfig(cfg)
	kc := kms.NewFromConfig(cfg)
	// The first key was made long enough ago that it may be replaced now.
	createSecret(t, cfg, t0.Add(-auth.KeyRetirement))
	clock := &fixture.Clock{T: t0}
	// The authorizer's keys, warm from before the rotation.
	authorizerKeys := auth.NewSecretKeys(sm, secretName, 5*time.Minute, clock.Now)
	v := auth.NewVerifier(authorizerKeys, issuer, audience, clock.Now)
	oldToken := issue(t, cfg, auth.NewSecretKeys(sm, secretName, 0, nil), clock.T)
	if _, err := v.Verify(t.Context(), oldToken); err != nil {
		t.Fatal(err)
	}
	oldSet, _ := authorizerKeys.Keys(t.Context())

	rotate(t, cfg, "11111111-1111-4111-8111-111111111111", clock.T)
	clock.T = clock.T.Add(time.Minute)
	// The sign-in function's keys, loaded after the rotation.
	ssoKeys := auth.NewSecretKeys(sm, secretName, 0, clock.Now)
	newToken := issue(t, cfg, ssoKeys, clock.T)
	set, _ := ssoKeys.Keys(t.Context())
	if set.Previous.ID != oldSet.Current.ID || set.Current.ID == set.Previous.ID ||
		set.Current.Key.Equal(set.Previous.Key) {
		t.Fatalf(
			"after rotation: previous key %q is not the old current %q, or equals the new one",
			set.Previous.ID,
			oldSet.Current.ID,
		)
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
	t.Run("a rotation while the previous key may verify a live session is refused", func(t *testing.T) {
		err := tryRotate(t, cfg, "33333333-3333-4333-8333-333333333333", clock.T.Add(auth.MaxTTL))
		if !errors.Is(err, rotator.ErrTooSoon) {
			t.Fatalf("err = %v, want ErrTooSoon", err)
		}
		after, _ := auth.NewSecretKeys(sm, secretName, 0, nil).Keys(t.Context())
		if after.Current.ID != set.Current.ID || after.Previous.ID != set.Previous.ID ||
			keyState(t, kc, set.Previous.ID) != kmstypes.KeyStateEnabled {
			t.Errorf("a refused rotation changed the published keys: %+v", after)
		}
	})
	t.Run("a second rotation retires the oldest key", func(t *testing.T) {
		clock.T = t0.Add(auth.KeyRetirement - time.Minute)
		lateToken := issue(t, cfg, ssoKeys, clock.T)
		rotate(t, cfg, "22222222-2222-4222-8222-222222222222", t0.Add(auth.KeyRetirement))
		clock.T = clock.T.Add(5 * time.Minute) // past the TTL: the verifier reloads
		if _, err := v.Verify(t.Context(), lateToken); err != nil {
			t.Errorf("token of the previous key: %v", err)
		}
		if _, err := v.Verify(t.Context(), oldToken); !errors.Is(err, auth.ErrSignature) {
			t.Errorf("token of the retired key: err = %v, want ErrSignature", err)
		}
		if got := keyState(t, kc, oldSet.Current.ID); got != kmstypes.KeyStatePendingDeletion {
			t.Errorf("retired key is %s, want PendingDeletion", got)
		}
		if got := keyState(t, kc, set.Current.ID); got != kmstypes.KeyStateEnabled {
			t.Errorf("previous key is %s, want Enabled", got)
		}
		var nf *kmstypes.NotFoundException
		if _, err := kc.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: aws.String(names.SigningKeyAlias(
			fixture.Namespace, firstRotation))}); !errors.As(
			err,
			&nf,
		) {
			t.Errorf("alias of the retired key: err = %v, want NotFound", err)
		}
	})
}

func TestForgedTokensDoNotHammerSecretsManager(t *testing.T) {
	cfg := emulator.Config(t)
	sm := secretsmanager.NewFromConfig(cfg)
	createSecret(t, cfg, t0.Add(-time.Hour))
	client := &countingClient{Client: sm}
	clock := &fixture.Clock{T: t0}
	v := auth.NewVerifier(auth.NewSecretKeys(client, secretName, 0, clock.Now), issuer, audience, clock.Now)
	set, _ := auth.NewSecretKeys(sm, secretName, 0, nil).Keys(t.Context())
	// A key of the attacker's, under the id of the real one.
	forger := auth.NewLocalKey(set.Current.ID)
	forged, err := auth.Issue(t.Context(), forger, forger.ID, bob, issuer, audience, time.Hour, clock.T)
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

// A KMS key in the account that is not published, even one tagged as the
// rotation tags its keys, signs nothing the verifier accepts.
func TestATokenSignedByAnUnpublishedKMSKeyIsRefused(t *testing.T) {
	cfg := emulator.Config(t)
	createSecret(t, cfg, t0.Add(-time.Hour))
	kc := kms.NewFromConfig(cfg)
	k, err := kc.CreateKey(t.Context(), &kms.CreateKeyInput{
		KeySpec: kmstypes.KeySpecEccNistP256, KeyUsage: kmstypes.KeyUsageTypeSignVerify,
		Tags: []kmstypes.Tag{{TagKey: aws.String(names.SigningKeyTag), TagValue: aws.String(fixture.Namespace)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.Issue(
		t.Context(),
		kmssign.Signer{Client: kc},
		aws.ToString(k.KeyMetadata.Arn),
		bob,
		issuer,
		audience,
		time.Hour,
		t0,
	)
	if err != nil {
		t.Fatal(err)
	}
	v := auth.NewVerifier(
		auth.NewSecretKeys(secretsmanager.NewFromConfig(cfg), secretName, 0, nil),
		issuer,
		audience,
		func() time.Time { return t0 },
	)
	if _, err := v.Verify(t.Context(), "Bearer "+tok); !errors.Is(err, auth.ErrSignature) {
		t.Fatalf("err = %v, want ErrSignature", err)
	}
}

func TestMissingSecretIsAFault(t *testing.T) {
	sm := secretsmanager.NewFromConfig(emulator.Config(t))
	v := auth.NewVerifier(auth.NewSecretKeys(sm, secretName, 0, nil), issuer, audience, nil)
	k := auth.NewLocalKey("arn:aws:kms:us-east-1:123456789012:key/any")
	tok, _ := auth.Issue(t.Context(), k, k.ID, bob, issuer, audience, time.Hour, time.Now())
	_, err := v.Verify(t.Context(), "Bearer "+tok)
	if !auth.IsFault(err) {
		t.Fatalf("err = %v, want a fault (not a refusal)", err)
	}
}

// Before the first rotation the secret publishes no key: verification is
// a fault (500), never a way in.
func TestThePlaceholderPublishesNoKey(t *testing.T) {
	sm := secretsmanager.NewFromConfig(emulator.Config(t))
	createPlaceholder(t, sm)
	v := auth.NewVerifier(auth.NewSecretKeys(sm, secretName, 0, nil), issuer, audience, nil)
	k := auth.NewLocalKey("arn:aws:kms:us-east-1:123456789012:key/any")
	tok, _ := auth.Issue(t.Context(), k, k.ID, bob, issuer, audience, time.Hour, time.Now())
	if _, err := v.Verify(t.Context(), "Bearer "+tok); !auth.IsFault(err) {
		t.Fatalf("err = %v, want a fault (no key published)", err)
	}
}
