package auth_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/functions/jwt-rotator/rotator"
	"github.com/isb-go/isb/test/emulator"
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
	out, err := sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretName), VersionStage: aws.String(stage)})
	if err != nil {
		t.Fatalf("%s: %v", stage, err)
	}
	return aws.ToString(out.SecretString)
}

func TestRotatorStepsAreIdempotent(t *testing.T) {
	sm := secretsmanager.NewFromConfig(emulator.Config(t))
	createSecret(t, sm)
	before := value(t, sm, "AWSCURRENT")
	const token = "33333333-3333-4333-8333-333333333333"
	r := rotator.New(sm, secretName)
	// Secrets Manager retries steps; each one run twice changes nothing more.
	for _, step := range []string{rotator.StepCreate, rotator.StepCreate, rotator.StepSet, rotator.StepTest, rotator.StepFinish, rotator.StepFinish} {
		if err := r.Step(t.Context(), secretName, token, step); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	after := value(t, sm, "AWSCURRENT")
	if after == before || len(after) != rotator.KeyLength {
		t.Errorf("current key after rotation: %d chars, changed %v", len(after), after != before)
	}
	if got := value(t, sm, "AWSPREVIOUS"); got != before {
		t.Errorf("AWSPREVIOUS is not the old key")
	}
	if !slices.Contains(stagesOf(t, sm)[token], "AWSCURRENT") {
		t.Errorf("stages = %v, want %s current", stagesOf(t, sm), token)
	}
}

func TestRotatorRefusesBadEvents(t *testing.T) {
	sm := secretsmanager.NewFromConfig(emulator.Config(t))
	createSecret(t, sm)
	r := rotator.New(sm, secretName)
	for name, run := range map[string]func() error{
		"another secret": func() error {
			if _, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("other"), SecretString: aws.String("x")}); err != nil {
				t.Fatal(err)
			}
			return r.Step(t.Context(), "other", "44444444-4444-4444-8444-444444444444", rotator.StepCreate)
		},
		"finish of a version never created": func() error {
			return r.Step(t.Context(), secretName, "55555555-5555-4555-8555-555555555555", rotator.StepFinish)
		},
		"an unknown step": func() error {
			if err := r.Step(t.Context(), secretName, "66666666-6666-4666-8666-666666666666", rotator.StepCreate); err != nil {
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
