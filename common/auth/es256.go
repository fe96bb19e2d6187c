package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/isb-go/isb/common/names"
)

// Signer makes ECDSA P-256 SHA-256 signatures with the private key named
// keyID, ASN.1 DER-encoded as KMS returns them. Only the sign-in function
// holds one (kmssign.Signer).
type Signer interface {
	Sign(ctx context.Context, keyID string, message []byte) ([]byte, error)
}

// LocalKey is an in-memory P-256 key that signs as KMS does (tests, tools).
type LocalKey struct {
	ID      string
	Private *ecdsa.PrivateKey
}

// NewLocalKey generates a key named id.
func NewLocalKey(id string) *LocalKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return &LocalKey{ID: id, Private: k}
}

// Sign signs with the key if keyID names it.
func (k *LocalKey) Sign(_ context.Context, keyID string, message []byte) ([]byte, error) {
	if keyID != k.ID {
		return nil, fmt.Errorf("sign: no key %q", keyID)
	}
	h := sha256.Sum256(message)
	return ecdsa.SignASN1(rand.Reader, k.Private, h[:])
}

// Public is the key's published half.
func (k *LocalKey) Public() PublicKey { return PublicKey{ID: k.ID, Key: &k.Private.PublicKey} }

// published is the document a version of the public-key secret holds.
type published struct {
	KeyID     string     `json:"kid"`
	PublicKey string     `json:"publicKey"`
	CreatedAt *time.Time `json:"createdAt,omitempty"`
}

// Placeholder is what the public-key secret holds before its first
// rotation: no key. Verification is a fault until a key is published.
const Placeholder = names.SessionKeysPlaceholder

// EncodePublicKey makes the published document for key id, created at
// created, from the DER SubjectPublicKeyInfo KMS GetPublicKey returns. It
// refuses anything but a P-256 key.
func EncodePublicKey(id string, der []byte, created time.Time) (string, error) {
	if _, err := parsePublicKey(der); err != nil {
		return "", err
	}
	if id == "" {
		return "", errors.New("public key without an id")
	}
	created = created.UTC()
	b, _ := json.Marshal(
		published{
			KeyID:     id,
			PublicKey: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
			CreatedAt: &created,
		},
	)
	return string(b), nil
}

// DecodePublicKey reads a published document; Placeholder is the zero key.
func DecodePublicKey(doc string) (PublicKey, error) {
	var p published
	d := json.NewDecoder(strings.NewReader(doc))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return PublicKey{}, fmt.Errorf("public key document: %w", err)
	}
	if d.More() {
		return PublicKey{}, errors.New("public key document: trailing data")
	}
	if p.KeyID == "" && p.PublicKey == "" && p.CreatedAt == nil {
		return PublicKey{}, nil
	}
	block, rest := pem.Decode([]byte(p.PublicKey))
	if block == nil || block.Type != "PUBLIC KEY" || len(rest) > 0 || p.KeyID == "" {
		return PublicKey{}, errors.New("public key document: want a kid and one PEM PUBLIC KEY")
	}
	k, err := parsePublicKey(block.Bytes)
	if err != nil {
		return PublicKey{}, err
	}
	out := PublicKey{ID: p.KeyID, Key: k}
	if p.CreatedAt != nil {
		out.Created = *p.CreatedAt
	}
	return out, nil
}

func parsePublicKey(der []byte) (*ecdsa.PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	ec, ok := k.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("public key: not an ECDSA P-256 key")
	}
	return ec, nil
}

// rawSignature turns an ASN.1 DER ECDSA signature into the fixed 64-byte
// r||s JWS ES256 carries (RFC 7518 §3.4).
func rawSignature(der []byte) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) > 0 {
		return nil, errors.New("signature is not one DER ECDSA signature")
	}
	n := elliptic.P256().Params().N
	if sig.R.Sign() <= 0 || sig.S.Sign() <= 0 || sig.R.Cmp(n) >= 0 || sig.S.Cmp(n) >= 0 {
		return nil, errors.New("signature values out of range for P-256")
	}
	out := make([]byte, es256SigBytes)
	sig.R.FillBytes(out[:32])
	sig.S.FillBytes(out[32:])
	return out, nil
}

// es256SigBytes is the length of an ES256 signature: r and s, 32 bytes each.
const es256SigBytes = 64

// verifyES256 checks a raw r||s signature of input under key.
func verifyES256(key *ecdsa.PublicKey, input string, sig []byte) bool {
	return key != nil && jwt.SigningMethodES256.Verify(input, sig, key) == nil
}

// kmsES256 is jwt/v5's ES256 with the private key in KMS: it signs through
// a Signer (the key is a kmsKey) and verifies as jwt.SigningMethodES256.
// It is not registered, so parsing never picks it from a token's header.
type kmsES256 struct{}

// kmsKey is the "key" kmsES256 signs with: a Signer, its key id, and the
// context of the call (jwt/v5's Sign takes none).
type kmsKey struct {
	ctx    context.Context
	signer Signer
	id     string
}

func (kmsES256) Alg() string { return jwt.SigningMethodES256.Alg() }

func (kmsES256) Verify(signingString string, sig []byte, key any) error {
	return jwt.SigningMethodES256.Verify(signingString, sig, key)
}

func (kmsES256) Sign(signingString string, key any) ([]byte, error) {
	k, ok := key.(kmsKey)
	if !ok {
		return nil, jwt.ErrInvalidKeyType
	}
	return SignES256(k.ctx, k.signer, k.id, []byte(signingString))
}

// SignES256 signs message with the signer's key keyID and returns the JWS
// form of the signature (r||s). For the sign-in function's other sealed
// values; tokens use Issue.
func SignES256(ctx context.Context, signer Signer, keyID string, message []byte) ([]byte, error) {
	der, err := signer.Sign(ctx, keyID, message)
	if err != nil {
		return nil, err
	}
	return rawSignature(der)
}

// VerifyES256 reports whether the key of the set named keyID made sig
// (r||s) over message.
func VerifyES256(keys KeySet, keyID string, message, sig []byte) bool {
	return verifyES256(keys.Lookup(keyID), string(message), sig)
}
