package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary Authorization headers to the verifier: it
// never panics, refuses everything it does not accept as ErrInvalidToken,
// and accepts only tokens signed with the key.
func FuzzVerify(f *testing.F) {
	good := mustIssue(f, keyA, alice, time.Hour, t0)
	for _, s := range []string{
		"", "Bearer", "Bearer " + good, good, "Bearer a.b.c", "Bearer ..", "Bearer " + good + good,
		"Bearer " + forge(`{"alg":"none"}`, payload(nil), keyA),
		"Bearer " + hmacForge(`{"alg":"HS256","kid":"`+keyA.ID+`"}`, payload(nil), []byte(keyA.ID)),
		"Bearer " + forge(`{"alg":"ES256","kid":"`+keyA.ID+`"}`, payload(func(p map[string]any) { p["aud"] = []any{1, nil} }), keyA),
		"Bearer " + forge(`{"alg":"ES256","kid":"`+keyA.ID+`"}`, `{"exp":1e400,"iat":-1}`, keyA),
		"Bearer " + forge(`{"alg":"ES256","kid":"`+keyA.ID+`"}`, `{"exp":"soon"}`, keyA),
	} {
		f.Add(s)
	}
	v := NewVerifier(StaticKeys{Current: keyA.Public()}, iss, aud, func() time.Time { return t0 })
	f.Fuzz(func(t *testing.T, header string) {
		c, err := v.Verify(t.Context(), header)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("refusal %v is not an ErrInvalidToken", err)
			}
			return
		}
		if c.Email == "" || len(c.Roles) == 0 {
			t.Fatalf("accepted a token without email or roles: %+v", c)
		}
		tok, _ := BearerToken(header)
		p := strings.Split(tok, ".")
		sig, serr := enc.DecodeString(p[len(p)-1])
		if len(p) != 3 || serr != nil || !verifyES256(keyA.Public().Key, p[0]+"."+p[1], sig) {
			t.Fatalf("accepted a token not signed with the key: %q", header)
		}
	})
}
