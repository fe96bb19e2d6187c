// Package rotator rotates the JWT signing secret with Secrets Manager's
// four-step protocol. The new key becomes AWSCURRENT and the old one
// AWSPREVIOUS, which the verifier keeps accepting, so a rotation never
// ends anyone's session: a token lives at most auth.MaxTTL, far less than
// the rotation interval.
package rotator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/isb-go/isb/common/auth"
)

// Rotation steps, as Secrets Manager names them.
const (
	StepCreate = "createSecret"
	StepSet    = "setSecret"
	StepTest   = "testSecret"
	StepFinish = "finishSecret"
)

const (
	stageCurrent = "AWSCURRENT"
	stagePending = "AWSPENDING"
	// KeyLength is the length of a generated key: 64 alphanumeric
	// characters, about 380 bits.
	KeyLength = 64
)

// Client is the Secrets Manager calls a rotation makes.
type Client interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	GetRandomPassword(ctx context.Context, in *secretsmanager.GetRandomPasswordInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetRandomPasswordOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
}

// Rotator runs the steps of one secret's rotation.
type Rotator struct {
	sm Client
	// SecretID, when set, is the only secret this rotator touches.
	SecretID string
}

// New returns a rotator for the secret secretID (an ARN or name; empty
// allows any secret, for tests).
func New(sm Client, secretID string) *Rotator { return &Rotator{sm: sm, SecretID: secretID} }

// ErrNotThisSecret is returned for an event about another secret.
var ErrNotThisSecret = errors.New("rotation event for another secret")

// Step runs one rotation step for version token of the secret. Every step
// is idempotent: Secrets Manager retries them.
func (r *Rotator) Step(ctx context.Context, secretID, token, step string) error {
	if token == "" || secretID == "" {
		return errors.New("rotation event without secret or token")
	}
	desc, err := r.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		return fmt.Errorf("describe secret %s: %w", secretID, err)
	}
	if r.SecretID != "" && r.SecretID != aws.ToString(desc.ARN) && r.SecretID != aws.ToString(desc.Name) {
		return fmt.Errorf("%w: %s", ErrNotThisSecret, secretID)
	}
	stages, known := desc.VersionIdsToStages[token]
	if known && slices.Contains(stages, stageCurrent) {
		slog.InfoContext(ctx, "version is already current", "step", step, "version", token)
		return nil
	}
	if known && !slices.Contains(stages, stagePending) {
		return fmt.Errorf("version %s of %s is not pending rotation (stages %v)", token, secretID, stages)
	}
	if !known && step != StepCreate {
		return fmt.Errorf("version %s of %s does not exist", token, secretID)
	}
	switch step {
	case StepCreate:
		return r.create(ctx, secretID, token)
	case StepSet:
		// The key is only ours: no other system needs it.
		return nil
	case StepTest:
		return r.test(ctx, secretID, token)
	case StepFinish:
		return r.finish(ctx, secretID, token, desc.VersionIdsToStages)
	default:
		return fmt.Errorf("unknown rotation step %q", step)
	}
}

func (r *Rotator) create(ctx context.Context, secretID, token string) error {
	if _, err := r.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID), VersionStage: aws.String(stageCurrent)}); err != nil {
		return fmt.Errorf("read current version of %s: %w", secretID, err)
	}
	_, err := r.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(secretID), VersionId: aws.String(token), VersionStage: aws.String(stagePending),
	})
	if err == nil {
		return nil // a retried createSecret: the pending key exists
	}
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return fmt.Errorf("read pending version %s of %s: %w", token, secretID, err)
	}
	pw, err := r.sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{
		PasswordLength: aws.Int64(KeyLength), ExcludePunctuation: aws.Bool(true), RequireEachIncludedType: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	if _, err := r.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(secretID), ClientRequestToken: aws.String(token),
		SecretString: pw.RandomPassword, VersionStages: []string{stagePending},
	}); err != nil {
		return fmt.Errorf("store pending version %s of %s: %w", token, secretID, err)
	}
	slog.InfoContext(ctx, "pending key created", "version", token)
	return nil
}

// test checks that the pending key is one the verifier will accept.
func (r *Rotator) test(ctx context.Context, secretID, token string) error {
	out, err := r.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(secretID), VersionId: aws.String(token), VersionStage: aws.String(stagePending),
	})
	if err != nil {
		return fmt.Errorf("read pending version %s of %s: %w", token, secretID, err)
	}
	if n := len(aws.ToString(out.SecretString)); n < auth.MinKeyBytes {
		return fmt.Errorf("pending key of %s is %d bytes, need at least %d", secretID, n, auth.MinKeyBytes)
	}
	return nil
}

// finish makes the pending version current; Secrets Manager labels the
// version it replaces AWSPREVIOUS.
func (r *Rotator) finish(ctx context.Context, secretID, token string, versions map[string][]string) error {
	current := ""
	for id, stages := range versions {
		if slices.Contains(stages, stageCurrent) {
			current = id
		}
	}
	if _, err := r.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(secretID), VersionStage: aws.String(stageCurrent),
		MoveToVersionId: aws.String(token), RemoveFromVersionId: aws.String(current),
	}); err != nil {
		return fmt.Errorf("make version %s of %s current: %w", token, secretID, err)
	}
	slog.InfoContext(ctx, "key rotated", "version", token, "previous", current)
	return nil
}
