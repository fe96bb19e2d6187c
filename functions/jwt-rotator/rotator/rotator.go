// Package rotator rotates the session token signing key with Secrets
// Manager's four-step protocol over the secret that publishes the public
// keys. Each rotation creates a new asymmetric KMS key (ECC_NIST_P256,
// SIGN_VERIFY, tagged for signing) and publishes its public key; the new
// key becomes AWSCURRENT and the old one AWSPREVIOUS, which verifiers keep
// accepting, so a rotation never ends anyone's session. The key that drops
// out of the published set is scheduled for deletion. A rotation is refused
// while the key it would drop may still have signed a live token
// (auth.KeyRetirement), so even back-to-back rotations never cut a session
// short.
package rotator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/names"
)

// Rotation steps, as Secrets Manager names them.
const (
	StepCreate = "createSecret"
	StepSet    = "setSecret"
	StepTest   = "testSecret"
	StepFinish = "finishSecret"
)

const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
	stagePending  = "AWSPENDING"
	// DeletionWindowDays is the waiting period of a retired key's deletion
	// (the KMS minimum): it verifies nothing by then, and can be restored.
	DeletionWindowDays = 7
)

// SecretsClient is the Secrets Manager calls a rotation makes.
type SecretsClient interface {
	DescribeSecret(
		ctx context.Context,
		in *secretsmanager.DescribeSecretInput,
		opts ...func(*secretsmanager.Options),
	) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(
		ctx context.Context,
		in *secretsmanager.GetSecretValueInput,
		opts ...func(*secretsmanager.Options),
	) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(
		ctx context.Context,
		in *secretsmanager.PutSecretValueInput,
		opts ...func(*secretsmanager.Options),
	) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(
		ctx context.Context,
		in *secretsmanager.UpdateSecretVersionStageInput,
		opts ...func(*secretsmanager.Options),
	) (*secretsmanager.UpdateSecretVersionStageOutput, error)
}

// KMSClient is the KMS calls a rotation makes. It never signs.
type KMSClient interface {
	CreateKey(ctx context.Context, in *kms.CreateKeyInput, opts ...func(*kms.Options)) (*kms.CreateKeyOutput, error)
	CreateAlias(
		ctx context.Context,
		in *kms.CreateAliasInput,
		opts ...func(*kms.Options),
	) (*kms.CreateAliasOutput, error)
	DeleteAlias(
		ctx context.Context,
		in *kms.DeleteAliasInput,
		opts ...func(*kms.Options),
	) (*kms.DeleteAliasOutput, error)
	DescribeKey(
		ctx context.Context,
		in *kms.DescribeKeyInput,
		opts ...func(*kms.Options),
	) (*kms.DescribeKeyOutput, error)
	GetPublicKey(
		ctx context.Context,
		in *kms.GetPublicKeyInput,
		opts ...func(*kms.Options),
	) (*kms.GetPublicKeyOutput, error)
	ScheduleKeyDeletion(
		ctx context.Context,
		in *kms.ScheduleKeyDeletionInput,
		opts ...func(*kms.Options),
	) (*kms.ScheduleKeyDeletionOutput, error)
}

// Rotator runs the steps of one secret's rotation.
type Rotator struct {
	sm        SecretsClient
	kms       KMSClient
	namespace string
	// SecretID, when set, is the only secret this rotator touches.
	SecretID string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// New returns a rotator of namespace's signing keys for the secret
// secretID (an ARN or name; empty allows any secret, for tests).
func New(sm SecretsClient, k KMSClient, namespace, secretID string) *Rotator {
	return &Rotator{sm: sm, kms: k, namespace: namespace, SecretID: secretID}
}

// ErrNotThisSecret is returned for an event about another secret.
var ErrNotThisSecret = errors.New("rotation event for another secret")

// ErrTooSoon is returned when the key a rotation would retire may still
// have signed a live token.
var ErrTooSoon = errors.New("rotation too soon")

func (r *Rotator) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

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
		// Nothing to set: KMS holds the private key, the secret the public.
		return nil
	case StepTest:
		return r.test(ctx, secretID, token)
	case StepFinish:
		return r.finish(ctx, secretID, token, desc.VersionIdsToStages)
	default:
		return fmt.Errorf("unknown rotation step %q", step)
	}
}

// published reads the key a version publishes; the zero key for the
// placeholder.
func (r *Rotator) published(
	ctx context.Context,
	secretID string,
	in *secretsmanager.GetSecretValueInput,
) (auth.PublicKey, error) {
	in.SecretId = aws.String(secretID)
	out, err := r.sm.GetSecretValue(ctx, in)
	if err != nil {
		return auth.PublicKey{}, err
	}
	return auth.DecodePublicKey(aws.ToString(out.SecretString))
}

// checkRetirement refuses a rotation that would drop AWSPREVIOUS while it
// may have signed a live token: it signed until the current key was made.
func (r *Rotator) checkRetirement(ctx context.Context, secretID string) error {
	cur, err := r.published(ctx, secretID, &secretsmanager.GetSecretValueInput{VersionStage: aws.String(stageCurrent)})
	if err != nil {
		return fmt.Errorf("read current version of %s: %w", secretID, err)
	}
	if cur.Key == nil {
		return nil // the placeholder: nothing was ever signed
	}
	if safe := cur.Created.Add(auth.KeyRetirement); r.now().Before(safe) {
		return fmt.Errorf(
			"%w: the previous key of %s may verify live sessions until %s",
			ErrTooSoon,
			secretID,
			safe.Format(time.RFC3339),
		)
	}
	return nil
}

func (r *Rotator) create(ctx context.Context, secretID, token string) error {
	if err := r.checkRetirement(ctx, secretID); err != nil {
		return err
	}
	_, err := r.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(secretID), VersionId: aws.String(token), VersionStage: aws.String(stagePending),
	})
	if err == nil {
		return nil // a retried createSecret: the pending key is published
	}
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return fmt.Errorf("read pending version %s of %s: %w", token, secretID, err)
	}
	keyID, err := r.key(ctx, token)
	if err != nil {
		return err
	}
	pub, err := r.kms.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		return fmt.Errorf("get public key of %s: %w", keyID, err)
	}
	doc, err := auth.EncodePublicKey(keyID, pub.PublicKey, r.now())
	if err != nil {
		return fmt.Errorf("publish key %s: %w", keyID, err)
	}
	if _, err := r.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(secretID), ClientRequestToken: aws.String(token),
		SecretString: aws.String(doc), VersionStages: []string{stagePending},
	}); err != nil {
		return fmt.Errorf("store pending version %s of %s: %w", token, secretID, err)
	}
	slog.InfoContext(ctx, "pending signing key published", "version", token, "key", keyID)
	return nil
}

// key returns the ARN of the signing key of version token, creating it the
// first time: the alias named for the version finds it on a retry.
func (r *Rotator) key(ctx context.Context, token string) (string, error) {
	alias := names.SigningKeyAlias(r.namespace, token)
	d, err := r.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	var nf *kmstypes.NotFoundException
	switch {
	case err == nil:
		return aws.ToString(d.KeyMetadata.Arn), nil
	case !errors.As(err, &nf):
		return "", fmt.Errorf("describe %s: %w", alias, err)
	}
	out, err := r.kms.CreateKey(ctx, &kms.CreateKeyInput{
		KeySpec: kmstypes.KeySpecEccNistP256, KeyUsage: kmstypes.KeyUsageTypeSignVerify,
		Description: aws.String("Innovation Sandbox session token signing key, version " + token),
		Tags:        []kmstypes.Tag{{TagKey: aws.String(names.SigningKeyTag), TagValue: aws.String(r.namespace)}},
	})
	if err != nil {
		return "", fmt.Errorf("create signing key for version %s: %w", token, err)
	}
	keyID := aws.ToString(out.KeyMetadata.Arn)
	if _, err := r.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(
		keyID)}); err != nil {
		return "", fmt.Errorf("name signing key %s %s: %w", keyID, alias, err)
	}
	slog.InfoContext(ctx, "signing key created", "version", token, "key", keyID)
	return keyID, nil
}

// test checks that the pending key is one the verifier will accept and an
// enabled P-256 signing key.
func (r *Rotator) test(ctx context.Context, secretID, token string) error {
	k, err := r.published(
		ctx,
		secretID,
		&secretsmanager.GetSecretValueInput{VersionId: aws.String(token), VersionStage: aws.String(stagePending)},
	)
	if err != nil {
		return fmt.Errorf("pending version %s of %s: %w", token, secretID, err)
	}
	if k.Key == nil {
		return fmt.Errorf("pending version %s of %s publishes no key", token, secretID)
	}
	d, err := r.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.ID)})
	if err != nil {
		return fmt.Errorf("describe pending key %s: %w", k.ID, err)
	}
	m := d.KeyMetadata
	if m.KeySpec != kmstypes.KeySpecEccNistP256 || m.KeyUsage != kmstypes.KeyUsageTypeSignVerify ||
		m.KeyState != kmstypes.KeyStateEnabled {
		return fmt.Errorf(
			"pending key %s is %s/%s/%s, want an enabled ECC_NIST_P256 SIGN_VERIFY key",
			k.ID,
			m.KeySpec,
			m.KeyUsage,
			m.KeyState,
		)
	}
	return nil
}

// finish retires the key that drops out of the published set, then makes
// the pending version current; Secrets Manager labels the version it
// replaces AWSPREVIOUS.
func (r *Rotator) finish(ctx context.Context, secretID, token string, versions map[string][]string) error {
	current, previous := "", ""
	for id, stages := range versions {
		if slices.Contains(stages, stageCurrent) {
			current = id
		}
		if slices.Contains(stages, stagePrevious) {
			previous = id
		}
	}
	if previous != "" && previous != token {
		if err := r.checkRetirement(ctx, secretID); err != nil {
			return err
		}
		if err := r.retire(ctx, secretID, previous); err != nil {
			return err
		}
	}
	if _, err := r.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(secretID), VersionStage: aws.String(stageCurrent),
		MoveToVersionId: aws.String(token), RemoveFromVersionId: aws.String(current),
	}); err != nil {
		return fmt.Errorf("make version %s of %s current: %w", token, secretID, err)
	}
	slog.InfoContext(ctx, "signing key rotated", "version", token, "previous", current)
	return nil
}

// retire schedules the deletion of the key version publishes and removes
// its alias; both are no-ops the second time.
func (r *Rotator) retire(ctx context.Context, secretID, version string) error {
	k, err := r.published(ctx, secretID, &secretsmanager.GetSecretValueInput{VersionId: aws.String(version)})
	if err != nil {
		return fmt.Errorf("read version %s of %s: %w", version, secretID, err)
	}
	if k.Key == nil {
		return nil // the placeholder
	}
	// By its bare key id: every KMS call takes it (the emulator's
	// ScheduleKeyDeletion takes no ARN).
	d, err := r.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(k.ID)})
	if err != nil {
		return fmt.Errorf("describe retired key %s: %w", k.ID, err)
	}
	if d.KeyMetadata.KeyState == kmstypes.KeyStatePendingDeletion {
		return r.dropAlias(ctx, version, k.ID)
	}
	_, err = r.kms.ScheduleKeyDeletion(
		ctx,
		&kms.ScheduleKeyDeletionInput{KeyId: d.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(DeletionWindowDays)},
	)
	var state *kmstypes.KMSInvalidStateException
	if err != nil && !errors.As(err, &state) { // already pending deletion
		return fmt.Errorf("schedule deletion of retired key %s: %w", k.ID, err)
	}
	return r.dropAlias(ctx, version, k.ID)
}

func (r *Rotator) dropAlias(ctx context.Context, version, keyID string) error {
	_, err := r.kms.DeleteAlias(
		ctx,
		&kms.DeleteAliasInput{AliasName: aws.String(names.SigningKeyAlias(r.namespace, version))},
	)
	var nf *kmstypes.NotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("delete alias of retired key %s: %w", keyID, err)
	}
	slog.InfoContext(ctx, "signing key retired", "version", version, "key", keyID)
	return nil
}
