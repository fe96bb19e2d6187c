package auth_test

import (
	"crypto/x509"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/names"

	"github.com/isb-go/isb/functions/jwt-rotator/rotator"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

func stagesOf(t *testing.T, sm *secretsmanager.Client) map[string][]string {
	t.Helper()
	d, err := sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretName)})
	if err != nil {
		t.Fatal(err)
	}
	return d.VersionIdsToStages
}

func value(t *testing.T, sm *secretsmanager.Client, stage string) string {
	t.Helper()
	out, err := sm.GetSecretValue(
		t.Context(),
		&secretsmanager.GetSecretValueInput{SecretId: aws.String(secretName), VersionStage: aws.String(stage)},
	)
	if err != nil {
		t.Fatalf("%s: %v", stage, err)
	}
	return aws.ToString(out.SecretString)
}

func TestRotatorStepsAreIdempotent(t *testing.T) {
	cfg := emulator.Config(t)
	sm := secretsmanager.NewFromConfig(cfg)
	kc := kms.NewFromConfig(cfg)
	createPlaceholder(t, sm)
	const token = "33333333-3333-4333-8333-333333333333"
	r := rotator.New(sm, kc, fixture.Namespace, secretName)
	// Secrets Manager retries steps; each one run twice changes nothing more.
	for _, step := range []string{rotator.StepCreate, rotator.StepCreate, rotator.StepSet, rotator.StepTest,
		rotator.StepFinish, rotator.StepFinish} {
		if err := r.Step(t.Context(), secretName, token, step); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	keys, err := kc.ListKeys(t.Context(), &kms.ListKeysInput{})
	if err != nil || len(keys.Keys) != 1 {
		t.Fatalf("KMS keys after a retried rotation: %d (%v), want 1", len(keys.Keys), err)
	}
	cur, err := auth.DecodePublicKey(value(t, sm, "AWSCURRENT"))
	if err != nil || cur.ID != aws.ToString(keys.Keys[0].KeyArn) {
		t.Fatalf(
			"current version publishes %q (%v), want the new key %s",
			cur.ID,
			err,
			aws.ToString(keys.Keys[0].KeyArn),
		)
	}
	pub, err := kc.GetPublicKey(t.Context(), &kms.GetPublicKeyInput{KeyId: aws.String(cur.ID)})
	if err != nil {
		t.Fatal(err)
	}
	want, err := x509.ParsePKIXPublicKey(pub.PublicKey)
	if err != nil || !cur.Key.Equal(want) {
		t.Errorf("published public key differs from KMS's (%v)", err)
	}
	tags, err := kc.ListResourceTags(t.Context(), &kms.ListResourceTagsInput{KeyId: aws.String(cur.ID)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagKey) != names.SigningKeyTag ||
		aws.ToString(tags.Tags[0].TagValue) != fixture.Namespace {
		t.Errorf(
			"key tags = %+v (%v), want %s=%s: IAM grants kms:Sign by this tag",
			tags,
			err,
			names.SigningKeyTag,
			fixture.Namespace,
		)
	}
	if got := value(t, sm, "AWSPREVIOUS"); got != auth.Placeholder {
		t.Errorf("AWSPREVIOUS = %q, want the placeholder", got)
	}
	if !slices.Contains(stagesOf(t, sm)[token], "AWSCURRENT") {
		t.Errorf("stages = %v, want %s current", stagesOf(t, sm), token)
	}
}

func TestRotatorRefusesBadEvents(t *testing.T) {
	cfg := emulator.Config(t)
	sm := secretsmanager.NewFromConfig(cfg)
	createPlaceholder(t, sm)
	r := rotator.New(sm, kms.NewFromConfig(cfg), fixture.Namespace, secretName)
	for name, run := range map[string]func() error{
		"another secret": func() error {
			if _, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("other"),
				SecretString: aws.String("x")}); err != nil {
				t.Fatal(err)
			}
			return r.Step(t.Context(), "other", "44444444-4444-4444-8444-444444444444", rotator.StepCreate)
		},
		"finish of a version never created": func() error {
			return r.Step(t.Context(), secretName, "55555555-5555-4555-8555-555555555555", rotator.StepFinish)
		},
		"an unknown step": func() error {
			if err := r.Step(t.Context(), secretName, "66666666-6666-4666-8666-666666666666",
				rotator.StepCreate); err != nil {
				t.Fatal(err)
			}
			return r.Step(t.Context(), secretName, "66666666-6666-4666-8666-666666666666", "dropSecret")
		},
	} {
		t.Run(name, func(t *testing.T) {
			if err := run(); err == nil {
				t.Fatal("step succeeded")
			}
		})
	}
}
