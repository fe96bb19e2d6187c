package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	emailpkg "github.com/isb-go/isb/common/email"
	"github.com/isb-go/isb/common/routes"
)

// Token rules. Tokens are compact JWS (RFC 7515) with ES256 only, signed by
// a KMS key the sign-in function alone may use: the verifier never reads
// the algorithm from the token to pick a key type, so "alg":"none" and
// HS/ES confusion are refused outright, and holding the verification keys
// does not let anyone mint a token.
const (
	// Leeway is the clock skew tolerated on exp, nbf and iat.
	Leeway = 30 * time.Second
	// MaxTokenBytes bounds the work spent on one header.
	MaxTokenBytes = 8 << 10
	// MaxTTL is the longest lifetime a token may claim (exp - iat); a
	// longer one was not issued by us.
	MaxTTL = 24 * time.Hour

	algES256 = "ES256"
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

// claims is the token payload.
type claims struct {
	Issuer    string          `json:"iss"`
	Audience  json.RawMessage `json:"aud"`
	Email     string          `json:"email"`
	Name      string          `json:"name,omitempty"`
	Roles     []string        `json:"roles"`
	ExpiresAt *int64          `json:"exp"`
	IssuedAt  *int64          `json:"iat"`
	NotBefore *int64          `json:"nbf,omitempty"`
	// ID ("jti") names the session, so logout can revoke it.
	ID string `json:"jti"`
}

type header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ,omitempty"`
	Crit json.RawMessage `json:"crit,omitempty"`
}

var enc = base64.RawURLEncoding

// Issue signs a token naming the caller, valid for ttl from now, with the
// signer's key keyID (the current key of the KeySet).
func Issue(ctx context.Context, signer Signer, keyID string, c Caller, issuer, audience string, ttl time.Duration, now time.Time) (string, error) {
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
	aud, _ := json.Marshal(audience)
	iat, exp := now.Unix(), now.Add(ttl).Unix()
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	body, err := json.Marshal(claims{
		Issuer: issuer, Audience: aud, Email: c.Email, Name: c.Name, Roles: roles,
		ExpiresAt: &exp, IssuedAt: &iat, NotBefore: &iat, ID: enc.EncodeToString(jti),
	})
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	h, _ := json.Marshal(header{Alg: algES256, Kid: keyID, Typ: "JWT"})
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(body)
	der, err := signer.Sign(ctx, keyID, []byte(signing))
	if err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	sig, err := rawSignature(der)
	if err != nil {
		return "", fmt.Errorf("issue token: sign with %s: %w", keyID, err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
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

// parsed is a token whose structure and header are sound, not yet verified.
type parsed struct {
	keyID        string
	signingInput string
	payload      []byte
	signature    []byte
}

// parse checks the structure and the header of a compact token.
func parse(tok string) (parsed, error) {
	if len(tok) > MaxTokenBytes {
		return parsed{}, ErrMalformed
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return parsed{}, ErrMalformed
	}
	hb, err := enc.DecodeString(parts[0])
	if err != nil {
		return parsed{}, ErrMalformed
	}
	var h header
	if err := strictUnmarshal(hb, &h); err != nil {
		return parsed{}, ErrMalformed
	}
	// Only ES256, compared exactly: "none", "HS256", "ES512", "es256" are
	// all refused. A critical extension we do not understand is refused
	// (RFC 7515 §4.1.11).
	if h.Alg != algES256 || len(h.Crit) > 0 {
		return parsed{}, ErrAlgorithm
	}
	if h.Kid == "" || len(h.Kid) > maxKeyIDBytes {
		return parsed{}, ErrMalformed
	}
	if h.Typ != "" && h.Typ != "JWT" {
		return parsed{}, ErrMalformed
	}
	payload, err := enc.DecodeString(parts[1])
	if err != nil {
		return parsed{}, ErrMalformed
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil || len(sig) != es256SigBytes {
		return parsed{}, ErrMalformed
	}
	return parsed{keyID: h.Kid, signingInput: parts[0] + "." + parts[1], payload: payload, signature: sig}, nil
}

// signedBy reports whether the key of the set the token names made the
// signature.
func (p parsed) signedBy(keys KeySet) bool {
	return verifyES256(keys.Lookup(p.keyID), p.signingInput, p.signature)
}

// MaxTokenIDBytes bounds the "jti" a token may carry (Issue makes 22).
const MaxTokenIDBytes = 64

// Session is a verified token: the caller, the token's id and its expiry.
type Session struct {
	Caller    Caller
	ID        string
	ExpiresAt time.Time
}

// session checks the claims of a token whose signature is good.
func (p parsed) session(issuer, audience string, now time.Time) (Session, error) {
	var c claims
	if err := json.Unmarshal(p.payload, &c); err != nil {
		return Session{}, ErrMalformed
	}
	if c.ExpiresAt == nil || c.IssuedAt == nil {
		return Session{}, ErrClaims
	}
	exp, iat := time.Unix(*c.ExpiresAt, 0), time.Unix(*c.IssuedAt, 0)
	if !now.Before(exp.Add(Leeway)) {
		return Session{}, ErrExpired
	}
	if now.Add(Leeway).Before(iat) {
		return Session{}, ErrNotYetValid
	}
	if c.NotBefore != nil && now.Add(Leeway).Before(time.Unix(*c.NotBefore, 0)) {
		return Session{}, ErrNotYetValid
	}
	if exp.Sub(iat) > MaxTTL || !exp.After(iat) {
		return Session{}, ErrClaims
	}
	if c.Issuer != issuer {
		return Session{}, ErrIssuer
	}
	if !audienceHas(c.Audience, audience) {
		return Session{}, ErrAudience
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
	out := Caller{Email: c.Email, Name: c.Name}
	for _, r := range clean {
		out.Roles = append(out.Roles, routes.Role(r))
	}
	return Session{Caller: out, ID: c.ID, ExpiresAt: exp}, nil
}

// audienceHas accepts "aud" as a string or an array of strings (RFC 7519
// §4.1.3).
func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return slices.Contains(many, want)
	}
	return false
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

// strictUnmarshal decodes one JSON object and nothing after it.
func strictUnmarshal(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}
