package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestRawSignatureIsFixedWidthAndVerifies(t *testing.T) {
	// Some of these have an r or s shorter than 32 bytes (DER drops
	// leading zeros); JWS wants them padded.
	for i := range 200 {
		msg := []byte(strings.Repeat("m", i))
		der, err := keyA.Sign(t.Context(), keyA.ID, msg)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := rawSignature(der)
		if err != nil || len(raw) != 64 {
			t.Fatalf("raw signature of %d bytes (%v)", len(raw), err)
		}
		if !verifyES256(keyA.Public().Key, string(msg), raw) || verifyES256(keyB.Public().Key, string(msg), raw) {
			t.Fatalf("message %d: signature verifies under the wrong key or not under its own", i)
		}
	}
}

func TestRawSignatureRefusesWhatIsNotOneP256Signature(t *testing.T) {
	n := elliptic.P256().Params().N
	der := func(r, s *big.Int) []byte {
		b, _ := asn1.Marshal(struct{ R, S *big.Int }{r, s})
		return b
	}
	good := der(big.NewInt(7), big.NewInt(9))
	for name, sig := range map[string][]byte{
		"nothing":            nil,
		"not DER":            []byte("signature"),
		"trailing bytes":     append(append([]byte{}, good...), 0),
		"a zero r":           der(big.NewInt(0), big.NewInt(9)),
		"a negative s":       der(big.NewInt(7), big.NewInt(-9)),
		"r at the order":     der(n, big.NewInt(9)),
		"s beyond 256 bits":  der(big.NewInt(7), new(big.Int).Lsh(big.NewInt(1), 300)),
		"an r||s, not a DER": make([]byte, 64),
	} {
		if _, err := rawSignature(sig); err == nil {
			t.Errorf("%s: converted", name)
		}
	}
	if _, err := rawSignature(good); err != nil {
		t.Errorf("a small valid pair: %v", err)
	}
}

func TestPublicKeyDocuments(t *testing.T) {
	der, _ := x509.MarshalPKIXPublicKey(keyA.Public().Key)
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	doc, err := EncodePublicKey(keyA.ID, der, created)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodePublicKey(doc)
	if err != nil || got.ID != keyA.ID || !got.Key.Equal(keyA.Public().Key) || !got.Created.Equal(created) {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	if strings.Contains(doc, "PRIVATE") {
		t.Errorf("document carries a private key: %s", doc)
	}
	if k, err := DecodePublicKey(Placeholder); err != nil || k.Key != nil || k.ID != "" {
		t.Errorf("placeholder = %+v, %v; want no key", k, err)
	}

	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384DER, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	for name, der := range map[string][]byte{"a P-384 key": p384DER, "an RSA key": rsaDER, "garbage": []byte("key")} {
		if _, err := EncodePublicKey("k", der, created); err == nil {
			t.Errorf("published %s", name)
		}
	}
	if _, err := EncodePublicKey("", der, created); err == nil {
		t.Error("published a key without an id")
	}
	for name, doc := range map[string]string{
		"not JSON":         "-----BEGIN PUBLIC KEY-----",
		"no kid":           strings.Replace(doc, `"kid":"`+keyA.ID+`"`, `"kid":""`, 1),
		"an unknown field": strings.Replace(doc, `{`, `{"alg":"HS256",`, 1),
		"a second object":  doc + "{}",
		"a P-384 key":      `{"kid":"k","publicKey":"-----BEGIN PUBLIC KEY-----\n` + b64Lines(p384DER) + `-----END PUBLIC KEY-----\n"}`,
	} {
		if _, err := DecodePublicKey(doc); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func b64Lines(b []byte) string {
	s := strings.NewReplacer("-", "+", "_", "/").Replace(enc.EncodeToString(b))
	for len(s)%4 != 0 {
		s += "="
	}
	var out strings.Builder
	for len(s) > 64 {
		out.WriteString(s[:64] + `\n`)
		s = s[64:]
	}
	out.WriteString(s + `\n`)
	return out.String()
}

func TestKeySetLookupNamesOnlyItsKeys(t *testing.T) {
	set := KeySet{Current: keyA.Public()}
	if set.Lookup(keyA.ID) == nil || set.Lookup(keyB.ID) != nil || set.Lookup("") != nil {
		t.Error("lookup finds a key it does not hold, or misses its own")
	}
}
