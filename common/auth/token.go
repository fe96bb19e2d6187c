package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	emailpkg "github.com/isb-go/isb/common/email"
	"github.com/isb-go/isb/common/routes"
)

// Token rules. Tokens are compact JWS (RFC 7515) with ES256 only, signed by
// a KMS key the sign-in function alone may use, parsed and signed with
// golang-jwt/jwt/v5: its valid methods are ES256 alone, so "alg":"none" and
// HS/ES confusion are refused outright whatever the header says, and
// holding the verification keys does not let anyone mint a token.
const (
	// Leeway is the clock skew tolerated on exp, nbf and iat.
	Leeway = 30 * time.Second
	// MaxTokenBytes bounds the work spent on one header.
	MaxTokenBytes = 8 << 10
	// MaxTTL is the longest lifetime a token may claim (exp - iat); a
	// longer one was not issued by us.
	MaxTTL = 24 * time.Hour

	// maxKeyIDBytes bounds "kid" (a KMS key ARN is about 90).
	maxKeyIDBytes = 256
)

// ErrInvalidToken is the kind of every error that means "the caller is not
// authenticated": a handler answers 401, the authorizer denies. Any other
// error from Verify is a fault (the keys could not be loaded).
var ErrInvalidToken = errors.New("invalid token")

// The reasons a token is refused; each is also an ErrInvalidToken.
var (
	ErrNoToken          = invalid("missing bearer token")
	ErrMalformed        = invalid("malformed token")
	ErrAlgorithm        = invalid("unsupported algorithm")
	ErrSignature        = invalid("bad signature")
	ErrExpired          = invalid("token expired")
	ErrNotYetValid      = invalid("token not yet valid")
	ErrIssuer           = invalid("wrong issuer")
	ErrAudience         = invalid("wrong audience")
	ErrClaims           = invalid("bad claims")
	ErrUnknownRole      = invalid("unknown role")
	ErrRevoked          = invalid("token revoked")
	errKeysNotAvailable = errors.New("signing keys not available")
)

type invalidError struct{ msg string }

func invalid(msg string) error { return &invalidError{msg: msg} }

func (e *invalidError) Error() string { return e.msg }

// Is reports every refusal as ErrInvalidToken.
func (e *invalidError) Is(target error) bool { return target == ErrInvalidToken }

// claims is the token payload: the registered claims jwt/v5 validates and
// the caller's.
type claims struct {
	jwt.RegisteredClaims
	Email string   `json:"email"`
	Name  string   `json:"name,omitempty"`
	Roles []string `json:"roles"`
	// Principal is the AWS principal of a machine sign-in.
	Principal string `json:"principal,omitempty"`
}

// issued is what Issue signs: "aud" a single string, as tokens always
// carried it (jwt/v5 would write a one-element array).
type issued struct {
	claims
	Audience string `json:"aud"`
}

var enc = base64.RawURLEncoding

// Issue signs a token naming the caller, valid for ttl from now, with the
// signer's key keyID (the current key of the KeySet).
func Issue(ctx context.Context, signer Signer, keyID string, c Caller, issuer, audience string,
	ttl time.Duration, now time.Time) (string, error) {
	if keyID == "" || len(keyID) > maxKeyIDBytes {
		return "", fmt.Errorf("issue token: key id of %d bytes outside [1, %d]", len(keyID), maxKeyIDBytes)
	}
	if ttl <= 0 || ttl > MaxTTL {
		return "", fmt.Errorf("issue token: lifetime %s outside (0, %s]", ttl, MaxTTL)
	}
	if issuer == "" || audience == "" {
		return "", errors.New("issue token: issuer and audience are required")
	}
	roles, err := checkCaller(c.Email, c.Roles)
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	at := jwt.NewNumericDate(now)
	tok := jwt.NewWithClaims(kmsES256{}, issued{
		claims: claims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer: issuer, ExpiresAt: jwt.NewNumericDate(now.Add(ttl)), IssuedAt: at, NotBefore: at,
				ID: enc.EncodeToString(jti),
			},
			Email: c.Email, Name: c.Name, Roles: roles, Principal: c.Principal,
		},
		Audience: audience,
	})
	tok.Header["kid"] = keyID
	s, err := tok.SignedString(kmsKey{ctx: ctx, signer: signer, id: keyID})
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	return s, nil
}

// BearerToken extracts the token from an Authorization header value
// "Bearer <token>" (the scheme is case-insensitive).
func BearerToken(authorization string) (string, error) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", ErrNoToken
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", ErrNoToken
	}
	return tok, nil
}

// MaxTokenIDBytes bounds the "jti" a token may carry (Issue makes 22).
const MaxTokenIDBytes = 64

// Session is a verified token: the caller, the token's id and its expiry.
type Session struct {
	Caller    Caller
	ID        string
	ExpiresAt time.Time
}

// verify checks a compact token with jwt/v5 against the keys keys returns
// (called only once the token's structure and header are sound, so a
// malformed token is refused before any key is read). A key fault is
// returned as it is; every refusal is one of the Err* above.
func verify(tok string, keys func() (KeySet, error), issuer, audience string, now func() time.Time) (Session, error) {
	if len(tok) > MaxTokenBytes {
		return Session{}, ErrMalformed
	}
	var fault error
	keyfunc := func(t *jwt.Token) (any, error) {
		kid, err := checkHeader(t)
		if err != nil {
			return nil, err
		}
		set, err := keys()
		if err != nil {
			fault = err
			return nil, err
		}
		if k := set.Lookup(kid); k != nil {
			return k, nil
		}
		return nil, ErrSignature
	}
	// Only ES256, compared exactly: "none", "HS256", "ES512", "es256" are
	// all refused, and the key type never follows the token's header.
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithAudience(audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(Leeway), jwt.WithTimeFunc(now),
	)
	var c claims
	t, err := p.ParseWithClaims(tok, &c, keyfunc)
	if fault != nil {
		return Session{}, fault
	}
	if err != nil {
		return Session{}, refusal(t, err)
	}
	return c.session()
}

// checkHeader returns the key id of a token whose header we accept.
func checkHeader(t *jwt.Token) (string, error) {
	// A critical extension we do not understand is refused (RFC 7515
	// §4.1.11).
	if _, crit := t.Header["crit"]; crit {
		return "", ErrAlgorithm
	}
	kid, ok := t.Header["kid"].(string)
	if !ok || kid == "" || len(kid) > maxKeyIDBytes {
		return "", ErrMalformed
	}
	if typ, ok := t.Header["typ"]; ok && typ != "JWT" {
		return "", ErrMalformed
	}
	// jwt/v5 would call a wrong length a bad signature: it is a token
	// that is not ES256 at all (a DER signature, say).
	if len(t.Signature) != es256SigBytes {
		return "", ErrMalformed
	}
	return kid, nil
}

// refusal maps a jwt/v5 error to our refusals, the most telling first.
func refusal(t *jwt.Token, err error) error {
	for _, ours := range []error{ErrAlgorithm, ErrMalformed, ErrSignature} {
		if errors.Is(err, ours) {
			return ours
		}
	}
	if t != nil && t.Header != nil && t.Header["alg"] != jwt.SigningMethodES256.Alg() {
		return ErrAlgorithm
	}
	for _, m := range []struct{ theirs, ours error }{
		{jwt.ErrTokenMalformed, ErrMalformed},
		{jwt.ErrTokenSignatureInvalid, ErrSignature},
		{jwt.ErrTokenRequiredClaimMissing, ErrClaims},
		{jwt.ErrTokenExpired, ErrExpired},
		{jwt.ErrTokenUsedBeforeIssued, ErrNotYetValid},
		{jwt.ErrTokenNotValidYet, ErrNotYetValid},
		{jwt.ErrTokenInvalidIssuer, ErrIssuer},
		{jwt.ErrTokenInvalidAudience, ErrAudience},
	} {
		if errors.Is(err, m.theirs) {
			return m.ours
		}
	}
	return ErrClaims
}

// session checks what jwt/v5 does not: iat present, the lifetime cap, the
// caller, the token id.
func (c claims) session() (Session, error) {
	if c.ExpiresAt == nil || c.IssuedAt == nil {
		return Session{}, ErrClaims
	}
	exp, iat := c.ExpiresAt.Time, c.IssuedAt.Time
	if exp.Sub(iat) > MaxTTL || !exp.After(iat) {
		return Session{}, ErrClaims
	}
	roles := make([]routes.Role, 0, len(c.Roles))
	for _, r := range c.Roles {
		roles = append(roles, routes.Role(r))
	}
	clean, err := checkCaller(c.Email, roles)
	if err != nil {
		return Session{}, err
	}
	// Without an id a token could not be revoked: we never issue one.
	if c.ID == "" || len(c.ID) > MaxTokenIDBytes {
		return Session{}, ErrClaims
	}
	out := Caller{Email: c.Email, Name: c.Name, Principal: c.Principal}
	for _, r := range clean {
		out.Roles = append(out.Roles, routes.Role(r))
	}
	return Session{Caller: out, ID: c.ID, ExpiresAt: exp}, nil
}

// checkCaller validates the email and roles and returns the roles as
// strings, without duplicates, in canonical order.
func checkCaller(email string, roles []routes.Role) ([]string, error) {
	// Only the canonical spelling: every comparison downstream is exact.
	if !emailpkg.Canonical(email) {
		return nil, fmt.Errorf("%w: email %q is not a lower-case ASCII address", ErrClaims, email)
	}
	if len(roles) == 0 {
		return nil, fmt.Errorf("%w: no roles", ErrClaims)
	}
	for _, r := range roles {
		if !slices.Contains(routes.Roles, r) {
			return nil, fmt.Errorf("%w: %q", ErrUnknownRole, r)
		}
	}
	var out []string
	for _, r := range routes.Roles {
		if slices.Contains(roles, r) {
			out = append(out, string(r))
		}
	}
	return out, nil
}
