package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// KeySet is the signing key and the one it replaced. Tokens are signed with
// Current; both verify, so a rotation locks nobody out.
type KeySet struct {
	Current  []byte
	Previous []byte
}

// KeySource gives the keys tokens are signed and verified with.
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
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
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

// SecretKeys reads the keys from a Secrets Manager secret: the AWSCURRENT
// and AWSPREVIOUS versions of its SecretString. It loads nothing until the
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
	if ttl <= 0 {
		ttl = DefaultKeyTTL
	}
	if now == nil {
		now = time.Now
	}
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

func (s *SecretKeys) load(ctx context.Context) (KeySet, error) {
	cur, err := s.version(ctx, "AWSCURRENT")
	if err != nil {
		return KeySet{}, err
	}
	if cur == nil {
		return KeySet{}, fmt.Errorf("%w: secret %s has no AWSCURRENT version", errKeysNotAvailable, s.secretID)
	}
	prev, err := s.version(ctx, "AWSPREVIOUS")
	if err != nil {
		return KeySet{}, err
	}
	s.set, s.loadedAt, s.loaded = KeySet{Current: cur, Previous: prev}, s.now(), true
	return s.set, nil
}

// version reads one staged version; nil when no version carries the stage
// (a secret that was never rotated has no AWSPREVIOUS).
func (s *SecretKeys) version(ctx context.Context, stage string) ([]byte, error) {
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(s.secretID), VersionStage: aws.String(stage),
	})
	var nf *smtypes.ResourceNotFoundException
	if errors.As(err, &nf) && stage != "AWSCURRENT" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read %s of %s: %w", errKeysNotAvailable, stage, s.secretID, err)
	}
	key := out.SecretBinary
	if out.SecretString != nil {
		key = []byte(aws.ToString(out.SecretString))
	}
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("%w: %s of %s is %d bytes, need at least %d", errKeysNotAvailable, stage, s.secretID, len(key), MinKeyBytes)
	}
	return key, nil
}
