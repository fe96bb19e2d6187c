package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/isb-go/isb/common/routes"
)

var (
	keyA  = NewLocalKey("arn:aws:kms:us-east-1:111111111111:key/key-a")
	keyB  = NewLocalKey("arn:aws:kms:us-east-1:111111111111:key/key-b")
	t0    = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	alice = Caller{Email: "alice@example.com", Name: "Alice", Roles: []routes.Role{routes.User, routes.Manager}}
)

const (
	iss = "isb-test-Sso"
	aud = "isb-test-Api"
)

func mustIssue(t testing.TB, key *LocalKey, c Caller, ttl time.Duration, now time.Time) string {
	t.Helper()
	tok, err := Issue(context.Background(), key, key.ID, c, iss, aud, ttl, now)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// forge signs an arbitrary header and payload with ES256 under key.
func forge(header, payload string, key *LocalKey) string {
	in := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	der, err := key.Sign(context.Background(), key.ID, []byte(in))
	if err != nil {
		panic(err)
	}
	sig, err := rawSignature(der)
	if err != nil {
		panic(err)
	}
	return in + "." + enc.EncodeToString(sig)
}

// hmacForge signs with HMAC under secret, as a token minted by anyone
// holding a shared secret (or the public key, in an alg confusion) would be.
func hmacForge(header, payload string, secret []byte) string {
	in := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + enc.EncodeToString(m.Sum(nil))
}

// es256 is the header Issue writes for keyA.
var es256 = `{"alg":"ES256","kid":"` + keyA.ID + `","typ":"JWT"}`

func payload(mod func(map[string]any)) string {
	p := map[string]any{
		"iss": iss, "aud": aud, "email": "alice@example.com", "roles": []string{"User"},
		"iat": t0.Unix(), "nbf": t0.Unix(), "exp": t0.Add(time.Hour).Unix(),
	}
	if mod != nil {
		mod(p)
	}
	b, _ := json.Marshal(p)
	return string(b)
}

func parts(tok string) []string { return strings.Split(tok, ".") }

func TestVerifyAcceptsWhatIssueSigns(t *testing.T) {
	v := NewVerifier(StaticKeys{Current: keyA.Public()}, iss, aud, func() time.Time { return t0.Add(10 * time.Minute) })
	got, err := v.Verify(t.Context(), "Bearer "+mustIssue(t, keyA, alice, time.Hour, t0))
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != alice.Email || got.Name != alice.Name || len(got.Roles) != 2 || got.Roles[0] != routes.Manager ||
		got.Roles[1] != routes.User {
		t.Errorf("caller = %+v, want alice with Manager and User", got)
	}
	if _, err := v.Verify(t.Context(), "bearer   "+mustIssue(t, keyA, alice, time.Hour, t0)+" "); err != nil {
		t.Errorf("lower-case scheme and spaces: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	good := mustIssue(t, keyA, alice, time.Hour, t0)
	publicDER, _ := x509.MarshalPKIXPublicKey(keyA.Public().Key)
	derSig := func() string {
		der, _ := keyA.Sign(t.Context(), keyA.ID, []byte(parts(good)[0]+"."+parts(good)[1]))
		return parts(good)[0] + "." + parts(good)[1] + "." + enc.EncodeToString(der)
	}()
	parts := strings.Split(good, ".")
	sha512sig := func() string {
		h := `{"alg":"HS512","typ":"JWT"}`
		in := enc.EncodeToString([]byte(h)) + "." + parts[1]
		m := hmac.New(sha512.New, []byte(keyA.ID))
		m.Write([]byte(in))
		return in + "." + enc.EncodeToString(m.Sum(nil))
	}()
	// claims is a bearer token of alice's claims changed by edit, signed
	// with keyA.
	claims := func(edit func(map[string]any)) string { return "Bearer " + forge(es256, payload(edit), keyA) }
	tests := []struct {
		name   string
		header string
		now    time.Time
		want   error
	}{
		{"no header", "", t0, ErrNoToken},
		{"another scheme", "Basic " + good, t0, ErrNoToken},
		{"a bare token", good, t0, ErrNoToken},
		{"bearer with nothing", "Bearer ", t0, ErrNoToken},
		{"two parts", "Bearer " + parts[0] + "." + parts[1], t0, ErrMalformed},
		{"four parts", "Bearer " + good + ".x", t0, ErrMalformed},
		{"padded base64", "Bearer " + parts[0] + "=." + parts[1] + "." + parts[2], t0, ErrMalformed},
		{
			"header not JSON",
			"Bearer " + enc.EncodeToString([]byte("{")) + "." + parts[1] + "." + parts[2],
			t0,
			ErrMalformed,
		},
		{"oversized", "Bearer " + strings.Repeat("a", MaxTokenBytes+1), t0, ErrMalformed},
		{"expired", "Bearer " + good, t0.Add(time.Hour + Leeway), ErrExpired},
		{"issued in the future", "Bearer " + good, t0.Add(-Leeway - time.Second), ErrNotYetValid},
		{"signed with another key", "Bearer " + mustIssue(t, keyB, alice, time.Hour, t0), t0, ErrSignature},
		{
			"signature altered",
			"Bearer " + parts[0] + "." + parts[1] + "." + enc.EncodeToString(make([]byte, 64)),
			t0,
			ErrSignature,
		},
		{
			"signature of the wrong length",
			"Bearer " + parts[0] + "." + parts[1] + "." + enc.EncodeToString(make([]byte, 32)),
			t0,
			ErrMalformed,
		},
		{"signature DER-encoded, not r||s", "Bearer " + derSig, t0, ErrMalformed},
		{"signed with another key under this key's id", "Bearer " + forge(es256, payload(nil), keyB), t0, ErrSignature},
		{
			"naming a key that is not published",
			"Bearer " + forge(`{"alg":"ES256","kid":"`+keyB.ID+`"}`, payload(nil), keyB),
			t0,
			ErrSignature,
		},
		{"no kid", "Bearer " + forge(`{"alg":"ES256"}`, payload(nil), keyA), t0, ErrMalformed},
		{
			"an oversized kid",
			"Bearer " + forge(`{"alg":"ES256","kid":"`+strings.Repeat("k", 257)+`"}`, payload(nil), keyA),
			t0,
			ErrMalformed,
		},
		{
			"alg HS256 with the public key as the HMAC secret (confusion)",
			"Bearer " + hmacForge(`{"alg":"HS256","kid":"`+keyA.ID+`"}`, payload(nil), publicDER),
			t0,
			ErrAlgorithm,
		},
		{
			"alg HS256 with a shared secret",
			"Bearer " + hmacForge(
				`{"alg":"HS256","typ":"JWT"}`,
				payload(nil),
				[]byte("0123456789abcdef0123456789abcdef"),
			),
			t0,
			ErrAlgorithm,
		},
		{
			"payload altered",
			"Bearer " + parts[0] + "." + enc.EncodeToString(
				[]byte(payload(func(p map[string]any) { p["roles"] = []string{"Admin"} })),
			) + "." + parts[2],
			t0,
			ErrSignature,
		},
		{
			"alg none, unsigned",
			"Bearer " + enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".",
			t0,
			ErrAlgorithm,
		},
		{
			"alg none with a signature",
			"Bearer " + enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "." + parts[2],
			t0,
			ErrAlgorithm,
		},
		{"alg HS512 (confusion)", "Bearer " + sha512sig, t0, ErrAlgorithm},
		{"alg RS256", "Bearer " + forge(`{"alg":"RS256","kid":"`+keyA.ID+`"}`, payload(nil), keyA), t0, ErrAlgorithm},
		{"alg ES512", "Bearer " + forge(`{"alg":"ES512","kid":"`+keyA.ID+`"}`, payload(nil), keyA), t0, ErrAlgorithm},
		{
			"alg lower case",
			"Bearer " + forge(`{"alg":"es256","kid":"`+keyA.ID+`"}`, payload(nil), keyA),
			t0,
			ErrAlgorithm,
		},
		{"no alg", "Bearer " + forge(`{"typ":"JWT","kid":"`+keyA.ID+`"}`, payload(nil), keyA), t0, ErrAlgorithm},
		{
			"critical extension",
			"Bearer " + forge(`{"alg":"ES256","kid":"`+keyA.ID+`","crit":["b64"],"b64":false}`, payload(nil), keyA),
			t0,
			ErrAlgorithm,
		},
		{"wrong issuer", claims(func(p map[string]any) { p["iss"] = "someone-else" }), t0, ErrIssuer},
		{"wrong audience", claims(func(p map[string]any) { p["aud"] = "isb-prod-Api" }), t0, ErrAudience},
		{
			"audience list without ours",
			claims(func(p map[string]any) { p["aud"] = []string{"a", "b"} }),
			t0,
			ErrAudience,
		},
		{"no exp", claims(func(p map[string]any) { delete(p, "exp") }), t0, ErrClaims},
		{"no iat", claims(func(p map[string]any) { delete(p, "iat") }), t0, ErrClaims},
		{
			"lifetime over the cap",
			claims(func(p map[string]any) { p["exp"] = t0.Add(MaxTTL + time.Hour).Unix() }),
			t0,
			ErrClaims,
		},
		{
			"nbf in the future",
			claims(func(p map[string]any) { p["nbf"] = t0.Add(time.Hour).Unix() }),
			t0,
			ErrNotYetValid,
		},
		{"unknown role", claims(func(p map[string]any) { p["roles"] = []string{"User", "Root"} }), t0, ErrUnknownRole},
		{"no roles", claims(func(p map[string]any) { p["roles"] = []string{} }), t0, ErrClaims},
		{"no email", claims(func(p map[string]any) { delete(p, "email") }), t0, ErrClaims},
		{
			"email with a display name",
			claims(func(p map[string]any) { p["email"] = "Eve <eve@example.com>" }),
			t0,
			ErrClaims,
		},
		{"roles of the wrong type", claims(func(p map[string]any) { p["roles"] = "Admin" }), t0, ErrMalformed},
		{"payload not JSON", "Bearer " + forge(es256, "not json", keyA), t0, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := NewVerifier(StaticKeys{Current: keyA.Public()}, iss, aud, func() time.Time { return tc.now })
			_, err := v.Verify(t.Context(), tc.header)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !errors.Is(err, ErrInvalidToken) || IsFault(err) {
				t.Errorf("err = %v is not an ErrInvalidToken", err)
			}
		})
	}
}

func TestVerifyAcceptsThePreviousKey(t *testing.T) {
	v := NewVerifier(
		StaticKeys{Current: keyB.Public(), Previous: keyA.Public()},
		iss,
		aud,
		func() time.Time { return t0 },
	)
	for name, key := range map[string]*LocalKey{"current": keyB, "previous": keyA} {
		if _, err := v.Verify(t.Context(), "Bearer "+mustIssue(t, key, alice, time.Hour, t0)); err != nil {
			t.Errorf("token signed with the %s key: %v", name, err)
		}
	}
}

func TestVerifyLeewayAroundExpiry(t *testing.T) {
	tok := "Bearer " + mustIssue(t, keyA, alice, time.Hour, t0)
	for _, tc := range []struct {
		at time.Time
		ok bool
	}{
		{t0.Add(time.Hour), true},
		{t0.Add(time.Hour + Leeway - time.Second), true},
		{t0.Add(time.Hour + Leeway), false},
		{t0.Add(-Leeway), true},
	} {
		v := NewVerifier(StaticKeys{Current: keyA.Public()}, iss, aud, func() time.Time { return tc.at })
		if _, err := v.Verify(t.Context(), tok); (err == nil) != tc.ok {
			t.Errorf("at %s: err = %v, want ok %v", tc.at.Sub(t0), err, tc.ok)
		}
	}
}

type failingKeys struct{}

func (failingKeys) Keys(context.Context) (KeySet, error) {
	return KeySet{}, errors.New("secrets manager is down")
}

func TestVerifyKeyFailureIsAFaultNotARefusal(t *testing.T) {
	v := NewVerifier(failingKeys{}, iss, aud, nil)
	_, err := v.Verify(t.Context(), "Bearer "+mustIssue(t, keyA, alice, time.Hour, time.Now()))
	if err == nil || errors.Is(err, ErrInvalidToken) || !IsFault(err) {
		t.Fatalf("err = %v, want a fault", err)
	}
	// A malformed token is refused before any key is needed.
	if _, err := v.Verify(t.Context(), "Bearer x.y"); !errors.Is(err, ErrMalformed) {
		t.Errorf("malformed token with broken keys: err = %v", err)
	}
}

// reloadingKeys serves stale keys until reloaded.
type reloadingKeys struct {
	stale, fresh KeySet
	reloads      atomic.Int32
}

func (r *reloadingKeys) Keys(context.Context) (KeySet, error) { return r.stale, nil }
func (r *reloadingKeys) Reload(context.Context) (KeySet, error) {
	r.reloads.Add(1)
	return r.fresh, nil
}

func TestVerifyReloadsOnAnUnknownSignature(t *testing.T) {
	keys := &reloadingKeys{
		stale: KeySet{Current: keyA.Public()},
		fresh: KeySet{Current: keyB.Public(), Previous: keyA.Public()},
	}
	v := NewVerifier(keys, iss, aud, func() time.Time { return t0 })
	if _, err := v.Verify(t.Context(), "Bearer "+mustIssue(t, keyA, alice, time.Hour, t0)); err != nil ||
		keys.reloads.Load() != 0 {
		t.Fatalf("known key: err = %v, reloads = %d", err, keys.reloads.Load())
	}
	if _, err := v.Verify(t.Context(), "Bearer "+mustIssue(t, keyB, alice, time.Hour, t0)); err != nil ||
		keys.reloads.Load() != 1 {
		t.Fatalf("new key: err = %v, reloads = %d", err, keys.reloads.Load())
	}
}

func TestIssueRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  *LocalKey
		c    Caller
		ttl  time.Duration
	}{
		{"a key that is not the signer's", NewLocalKey(keyA.ID + "-other"), alice, time.Hour},
		{"no roles", keyA, Caller{Email: "a@example.com"}, time.Hour},
		{"an unknown role", keyA, Caller{Email: "a@example.com", Roles: []routes.Role{"Root"}}, time.Hour},
		{"no email", keyA, Caller{Roles: []routes.Role{routes.User}}, time.Hour},
		{"a zero lifetime", keyA, alice, 0},
		{"a lifetime over the cap", keyA, alice, MaxTTL + time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Issue(t.Context(), keyA, tc.key.ID, tc.c, iss, aud, tc.ttl, t0); err == nil {
				t.Fatal("Issue succeeded")
			}
		})
	}
}

func TestIssuerAndAudienceDifferPerNamespace(t *testing.T) {
	if Issuer("dev") == Issuer("prod") || Audience("dev") == Audience("prod") || Issuer("dev") == Audience("dev") {
		t.Errorf("issuer/audience collide: %s %s", Issuer("dev"), Audience("dev"))
	}
}

func TestCallerRoundTripsThroughTheAuthorizerContext(t *testing.T) {
	got, err := FromContext(alice.ToContext())
	if err != nil || got.Email != alice.Email || got.Name != alice.Name || len(got.Roles) != 2 {
		t.Fatalf("FromContext = %+v, %v", got, err)
	}
	if _, err := FromContext(map[string]any{ContextEmail: "x@example.com", ContextRoles: "Root"}); err == nil {
		t.Error("an unknown role was accepted")
	}
}

func TestVerifyRefusesAnEmailThatIsNotCanonical(t *testing.T) {
	for _, e := range []string{"ſam@example.com", "Sam@example.com", "sam@EXAMPLE.com", "\u212aate@example.com"} {
		t.Run(e, func(t *testing.T) {
			v := NewVerifier(StaticKeys{Current: keyA.Public()}, iss, aud, func() time.Time { return t0 })
			tok := forge(es256, payload(func(p map[string]any) { p["email"] = e }), keyA)
			if _, err := v.Verify(t.Context(), "Bearer "+tok); !errors.Is(err, ErrClaims) {
				t.Fatalf("a token for %q: err = %v, want ErrClaims", e, err)
			}
			if _, err := Issue(t.Context(), keyA, keyA.ID, Caller{Email: e, Roles: []routes.Role{routes.User}}, iss,
				aud, time.Hour, t0); err == nil {
				t.Fatalf("Issue signed a token for %q", e)
			}
		})
	}
}

func TestVerifyRefusesATokenWithoutAnID(t *testing.T) {
	v := NewVerifier(StaticKeys{Current: keyA.Public()}, iss, aud, func() time.Time { return t0 })
	for name, jti := range map[string]any{"no jti": nil, "an empty jti": "", "an oversized jti": strings.Repeat("j",
		MaxTokenIDBytes+1)} {
		tok := forge(es256, payload(func(p map[string]any) {
			if jti != nil {
				p["jti"] = jti
			}
		}), keyA)
		if _, err := v.Verify(t.Context(), "Bearer "+tok); !errors.Is(err, ErrClaims) {
			t.Errorf("%s: err = %v, want ErrClaims", name, err)
		}
	}
}

// revocations is an in-memory RevocationList.
type revocations struct {
	ids map[string]bool
	err error
}

func (r revocations) Revoked(_ context.Context, id string) (bool, error) { return r.ids[id], r.err }

func TestVerifyRefusesARevokedToken(t *testing.T) {
	tok := "Bearer " + mustIssue(t, keyA, alice, time.Hour, t0)
	other := "Bearer " + mustIssue(t, keyA, alice, time.Hour, t0)
	v := NewVerifier(StaticKeys{Current: keyA.Public()}, iss, aud, func() time.Time { return t0 })
	s, err := v.VerifySession(t.Context(), tok)
	if err != nil || s.ID == "" || !s.ExpiresAt.Equal(t0.Add(time.Hour)) || s.Caller.Email != alice.Email {
		t.Fatalf("session = %+v, %v", s, err)
	}
	s2, _ := v.VerifySession(t.Context(), other)
	if s2.ID == s.ID {
		t.Fatalf("two tokens share the id %q", s.ID)
	}
	v.CheckRevocations(revocations{ids: map[string]bool{s.ID: true}})
	if _, err := v.Verify(t.Context(), tok); !errors.Is(err, ErrRevoked) || !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("revoked token: err = %v, want ErrRevoked", err)
	}
	if _, err := v.Verify(t.Context(), other); err != nil {
		t.Fatalf("another session of the same user: %v", err)
	}
	v.CheckRevocations(revocations{err: errors.New("table unreachable")})
	if _, err := v.Verify(t.Context(), other); !IsFault(err) {
		t.Fatalf("an unreadable deny-list: err = %v, want a fault (500), not a 401", err)
	}
}

func TestAMachineTokenCarriesItsPrincipalThroughVerifyAndTheAuthorizerContext(t *testing.T) {
	ci := Caller{Email: "ci@example.com", Roles: []routes.Role{routes.User},
		Principal: "arn:aws:sts::111111111111:assumed-role/ci/build-1"}
	tok := mustIssue(t, keyA, ci, time.Hour, t0)
	got, err := NewVerifier(StaticKeys{Current: keyA.Public()}, iss, aud,
		func() time.Time { return t0 }).Verify(context.Background(), "Bearer "+tok)
	if err != nil || got.Principal != ci.Principal {
		t.Fatalf("Verify = %+v, %v; want principal %s", got, err, ci.Principal)
	}
	back, err := FromContext(got.ToContext())
	if err != nil || back.Principal != ci.Principal {
		t.Fatalf("FromContext(ToContext) = %+v, %v", back, err)
	}
}
