package ddbstore

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/fault"
)

func TestPageTokens(t *testing.T) {
	codec, err := NewPageCodec([]byte("0123456789abcdef-test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	key := map[string]types.AttributeValue{"userEmail": str("a@example.com"), "uuid": str("u-1")}
	token, err := codec.encode("leases/all", key)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(token, "a@example.com") {
		t.Fatal("token shows the key in clear")
	}
	if raw, _ := base64.RawURLEncoding.DecodeString(token); strings.Contains(string(raw), "example") {
		t.Fatal("decoded token shows the key in clear")
	}
	got, err := codec.decode("leases/all", token)
	if err != nil || got["uuid"].(*types.AttributeValueMemberS).Value != "u-1" {
		t.Fatalf("decode = %v, %v", got, err)
	}
	flipped := []byte(token)
	flipped[len(flipped)/2] ^= 1
	other, _ := NewPageCodec([]byte("another secret of enough length"))
	foreign, _ := other.encode("leases/all", key)
	crafted := base64.RawURLEncoding.EncodeToString([]byte(`{"userEmail":"a@example.com","uuid":"u-1"}`))
	tests := []struct {
		name, scope, token string
	}{
		{"a token with one flipped character is rejected", "leases/all", string(flipped)},
		{"a token from another listing is rejected", "leases/user/a@example.com", token},
		{"a token sealed with another secret is rejected", "leases/all", foreign},
		{"a hand-crafted DynamoDB key is rejected", "leases/all", crafted},
		{"a truncated token is rejected", "leases/all", token[:10]},
		{"garbage is rejected", "leases/all", "%%%"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := codec.decode(tc.scope, tc.token)
			if !errors.Is(err, ErrBadPageToken) || !errors.Is(err, fault.Invalid) {
				t.Fatalf("decode error = %v, want ErrBadPageToken", err)
			}
		})
	}
	if _, err := NewPageCodec([]byte("short")); err == nil {
		t.Fatal("a short secret was accepted")
	}
	if tok, err := codec.encode("x", nil); tok != "" || err != nil {
		t.Fatalf("an empty key should give no token, got %q, %v", tok, err)
	}
}

func TestSealedForeignTokensOpenOnlyForTheirScope(t *testing.T) {
	codec, err := NewPageCodec([]byte("0123456789abcdef-test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := codec.Seal("organizations/entry-ou/ou-1", "org-next-token")
	if err != nil || sealed == "" || strings.Contains(sealed, "org-next-token") {
		t.Fatalf("Seal = %q, %v", sealed, err)
	}
	if got, err := codec.Open("organizations/entry-ou/ou-1", sealed); err != nil || got != "org-next-token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	for _, tc := range []struct{ name, scope, token string }{
		{"the service's own token is rejected", "organizations/entry-ou/ou-1", "org-next-token"},
		{"a token sealed for another OU is rejected", "organizations/entry-ou/ou-2", sealed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := codec.Open(tc.scope, tc.token); !errors.Is(err, ErrBadPageToken) {
				t.Fatalf("Open error = %v, want ErrBadPageToken", err)
			}
		})
	}
	if tok, err := codec.Seal("x", ""); tok != "" || err != nil {
		t.Fatalf("an empty token sealed to %q, %v", tok, err)
	}
}

func TestAStoreGivenNoCodecSealsWithAKeyOfItsProcess(t *testing.T) {
	pages := New(nil, Tables{}, nil).Pages()
	if pages == nil {
		t.Fatal("a store given no codec has none")
	}
	token, err := pages.Seal("scope", "next")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := New(nil, Tables{}, nil).Pages().Open("scope", token); err != nil || got != "next" {
		t.Errorf("another store of the process opened %q, %v; want next", got, err)
	}
}
