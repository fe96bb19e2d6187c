package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Verifier checks bearer tokens: structure, ES256 signature by the current
// or previous published public key the token names, expiry, issuer, audience and roles. The
// authorizer uses it, and every handler again (defence in depth).
type Verifier struct {
	keys     KeySource
	issuer   string
	audience string
	now      func() time.Time
	revoked  RevocationList
}

// RevocationList answers whether a token id was revoked (logout).
type RevocationList interface {
	Revoked(ctx context.Context, tokenID string) (bool, error)
}

// CheckRevocations makes the verifier refuse revoked tokens (ErrRevoked),
// one lookup per verification. It returns v.
func (v *Verifier) CheckRevocations(r RevocationList) *Verifier {
	v.revoked = r
	return v
}

// NewVerifier returns a verifier; now may be nil (time.Now).
func NewVerifier(keys KeySource, issuer, audience string, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	return &Verifier{keys: keys, issuer: issuer, audience: audience, now: now}
}

// Verify returns the caller named by the token in an Authorization header
// value ("Bearer <jwt>"). A refused token is an error that errors.Is
// ErrInvalidToken (answer 401); any other error means the keys could not
// be read (answer 500).
func (v *Verifier) Verify(ctx context.Context, authorizationHeader string) (Caller, error) {
	s, err := v.VerifySession(ctx, authorizationHeader)
	return s.Caller, err
}

// VerifySession is Verify with the token's id and expiry, for logout.
func (v *Verifier) VerifySession(ctx context.Context, authorizationHeader string) (Session, error) {
	tok, err := BearerToken(authorizationHeader)
	if err != nil {
		return Session{}, err
	}
	sess, err := verify(tok, func() (KeySet, error) { return v.keys.Keys(ctx) }, v.issuer, v.audience, v.now)
	if errors.Is(err, ErrSignature) {
		// A token signed with a key newer than the cached ones: look once
		// more (the source rate-limits this).
		r, ok := v.keys.(Reloader)
		if !ok {
			return Session{}, ErrSignature
		}
		sess, err = verify(tok, func() (KeySet, error) { return r.Reload(ctx) }, v.issuer, v.audience, v.now)
	}
	if err != nil || v.revoked == nil {
		return sess, err
	}
	revoked, err := v.revoked.Revoked(ctx, sess.ID)
	if err != nil {
		return Session{}, fmt.Errorf("check token revocation: %w", err)
	}
	if revoked {
		return Session{}, ErrRevoked
	}
	return sess, nil
}

// IsFault reports whether err from Verify is a fault (keys unreadable)
// rather than a refused token.
func IsFault(err error) bool { return err != nil && !errors.Is(err, ErrInvalidToken) }
