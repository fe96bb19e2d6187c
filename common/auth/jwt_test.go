package auth

import (
	"go/build"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestTokensAreStandardES256JWTs(t *testing.T) {
	t.Run("a token Issue signs verifies with a stock jwt/v5 parser and carries one audience string", func(t *testing.T) {
		tok := mustIssue(t, keyA, alice, time.Hour, t0)
		var m jwt.MapClaims
		_, err := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithTimeFunc(func() time.Time { return t0 })).
			ParseWithClaims(tok, &m, func(*jwt.Token) (any, error) { return keyA.Public().Key, nil })
		if err != nil {
			t.Fatal(err)
		}
		if m["aud"] != aud || m["iss"] != iss || m["email"] != alice.Email {
			t.Errorf("claims = %v", m)
		}
	})
	t.Run("a token a stock jwt/v5 signer makes with the key is accepted", func(t *testing.T) {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
			"iss": iss, "aud": []string{"other", aud}, "email": "bob@example.com", "roles": []string{"User"},
			"iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix(), "jti": "j1",
		})
		tok.Header["kid"] = keyA.ID
		s, err := tok.SignedString(keyA.Private)
		if err != nil {
			t.Fatal(err)
		}
		v := NewVerifier(StaticKeys{Current: keyA.Public()}, iss, aud, func() time.Time { return t0 })
		if c, err := v.Verify(t.Context(), "Bearer "+s); err != nil || c.Email != "bob@example.com" {
			t.Fatalf("caller = %+v, %v", c, err)
		}
	})
	t.Run("the package verifies tokens with golang-jwt, not a parser of its own", func(t *testing.T) {
		p, err := build.ImportDir(".", 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(p.Imports, "github.com/golang-jwt/jwt/v5") {
			t.Errorf("common/auth imports %v, not github.com/golang-jwt/jwt/v5", p.Imports)
		}
	})
}
