package auth

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/isb-go/isb/common/cached"
)

// PublicKey is one published verification key: the id tokens name in their
// "kid" header (the KMS key's ARN) and its public half.
type PublicKey struct {
	ID  string
	Key *ecdsa.PublicKey
	// Created is when the key was made (and, within a minute, became
	// current).
	Created time.Time
}

// KeyRetirement is how long a key that stopped being current can still
// have signed a live token: a session's longest life, plus the time a warm
// sign-in function keeps signing with its cached key, plus clock skew. A
// rotation must not drop a key from the published set sooner.
const KeyRetirement = MaxTTL + DefaultKeyTTL + Leeway

// KeySet is the public key tokens are signed with now and the one it
// replaced. Both verify, so a rotation locks nobody out. No secret is in
// it: the private keys never leave KMS.
type KeySet struct {
	Current  PublicKey
	Previous PublicKey
}

// Lookup returns the key named id, or nil.
func (s KeySet) Lookup(id string) *ecdsa.PublicKey {
	for _, k := range []PublicKey{s.Current, s.Previous} {
		if id != "" && k.ID == id && k.Key != nil {
			return k.Key
		}
	}
	return nil
}

// KeySource gives the public keys tokens are verified with, and the id of
// the key to sign with.
type KeySource interface {
	Keys(ctx context.Context) (KeySet, error)
}

// Reloader is a KeySource that can be asked for fresh keys before its cache
// expires: the verifier does so when a signature matches no cached key,
// which is what a token signed just after a rotation looks like.
type Reloader interface {
	Reload(ctx context.Context) (KeySet, error)
}

// StaticKeys is a fixed KeySet (tests, tools).
type StaticKeys KeySet

// Keys returns the fixed set.
func (s StaticKeys) Keys(context.Context) (KeySet, error) { return KeySet(s), nil }

// SecretsClient is the one Secrets Manager call SecretKeys makes.
type SecretsClient interface {
	GetSecretValue(
		ctx context.Context,
		in *secretsmanager.GetSecretValueInput,
		opts ...func(*secretsmanager.Options),
	) (*secretsmanager.GetSecretValueOutput, error)
}

// Cache bounds of SecretKeys.
const (
	// DefaultKeyTTL is how long loaded keys are used before they are
	// loaded again.
	DefaultKeyTTL = 5 * time.Minute
	// MinReloadInterval rate-limits early reloads, so a stream of forged
	// tokens cannot turn into a stream of Secrets Manager calls.
	MinReloadInterval = 30 * time.Second
)

// SecretKeys reads the published public keys from a Secrets Manager secret
// that holds nothing secret: the AWSCURRENT and AWSPREVIOUS versions of its
// SecretString, each a document made by EncodePublicKey. It loads nothing until the
// first call and caches the keys for TTL.
type SecretKeys struct {
	client   SecretsClient
	secretID string
	ttl      time.Duration
	now      func() time.Time

	mu       sync.Mutex
	set      KeySet
	loadedAt time.Time
	loaded   bool
}

var (
	_ KeySource = (*SecretKeys)(nil)
	_ Reloader  = (*SecretKeys)(nil)
)

// NewSecretKeys returns a lazy, cached key source over the secret. A ttl of
// 0 means DefaultKeyTTL; now may be nil (time.Now).
func NewSecretKeys(client SecretsClient, secretID string, ttl time.Duration, now func() time.Time) *SecretKeys {
	ttl, now = cached.Defaults(ttl, DefaultKeyTTL, now)
	return &SecretKeys{client: client, secretID: secretID, ttl: ttl, now: now}
}

// Keys returns the cached keys, loading them when they are older than the
// TTL.
func (s *SecretKeys) Keys(ctx context.Context) (KeySet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded && s.now().Sub(s.loadedAt) < s.ttl {
		return s.set, nil
	}
	return s.load(ctx)
}

// Reload loads the keys again unless they were loaded less than
// MinReloadInterval ago.
func (s *SecretKeys) Reload(ctx context.Context) (KeySet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded && s.now().Sub(s.loadedAt) < MinReloadInterval {
		return s.set, nil
	}
	return s.load(ctx)
}

// load reads both versions at once: one round trip on a cold start.
func (s *SecretKeys) load(ctx context.Context) (KeySet, error) {
	var prev PublicKey
	var prevErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		prev, prevErr = s.version(ctx, "AWSPREVIOUS")
	}()
	cur, err := s.version(ctx, "AWSCURRENT")
	<-done
	if err != nil {
		return KeySet{}, err
	}
	if cur.Key == nil {
		return KeySet{}, fmt.Errorf(
			"%w: secret %s publishes no key yet (never rotated)",
			errKeysNotAvailable,
			s.secretID,
		)
	}
	if prevErr != nil {
		return KeySet{}, prevErr
	}
	s.set, s.loadedAt, s.loaded = KeySet{Current: cur, Previous: prev}, s.now(), true
	return s.set, nil
}

// version reads one staged version; the zero PublicKey when no version
// carries the stage (a secret that was never rotated has no AWSPREVIOUS) or
// the version is the placeholder the secret is created with.
func (s *SecretKeys) version(ctx context.Context, stage string) (PublicKey, error) {
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(s.secretID), VersionStage: aws.String(stage),
	})
	var nf *smtypes.ResourceNotFoundException
	if errors.As(err, &nf) && stage != "AWSCURRENT" {
		return PublicKey{}, nil
	}
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: read %s of %s: %w", errKeysNotAvailable, stage, s.secretID, err)
	}
	k, err := DecodePublicKey(aws.ToString(out.SecretString))
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: %s of %s: %w", errKeysNotAvailable, stage, s.secretID, err)
	}
	return k, nil
}
