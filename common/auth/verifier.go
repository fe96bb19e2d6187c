package auth

import (
	"context"
	"errors"
	"time"
)

// Verifier checks bearer tokens: structure, HS256 signature against the
// current or previous key, expiry, issuer, audience and roles. The
// authorizer uses it, and every handler again (defence in depth).
type Verifier struct {
	keys     KeySource
	issuer   string
	audience string
	now      func() time.Time
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
	tok, err := BearerToken(authorizationHeader)
	if err != nil {
		return Caller{}, err
	}
	p, err := parse(tok)
	if err != nil {
		return Caller{}, err
	}
	keys, err := v.keys.Keys(ctx)
	if err != nil {
		return Caller{}, err
	}
	if !p.signedBy(keys.Current, keys.Previous) {
		// A token signed with a key newer than the cached ones: look once
		// more (the source rate-limits this).
		r, ok := v.keys.(Reloader)
		if !ok {
			return Caller{}, ErrSignature
		}
		if keys, err = r.Reload(ctx); err != nil {
			return Caller{}, err
		}
		if !p.signedBy(keys.Current, keys.Previous) {
			return Caller{}, ErrSignature
		}
	}
	return p.caller(v.issuer, v.audience, v.now())
}

// IsFault reports whether err from Verify is a fault (keys unreadable)
// rather than a refused token.
func IsFault(err error) bool { return err != nil && !errors.Is(err, ErrInvalidToken) }
