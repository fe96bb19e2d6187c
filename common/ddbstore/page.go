package ddbstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/page"
)

// DefaultPageSize is the page size when none is asked for.
const DefaultPageSize = page.DefaultSize

// PageCodec turns DynamoDB's LastEvaluatedKey into an opaque page token
// and back. Tokens are sealed with AES-GCM: a client can neither read the
// key inside nor craft one, and a token is bound to the listing (scope) it
// came from, so it cannot be replayed against another query.
type PageCodec struct {
	aead cipher.AEAD
}

// NewPageCodec builds a codec from a secret of at least 16 bytes; the
// AES-256 key is derived from it with SHA-256.
func NewPageCodec(secret []byte) (*PageCodec, error) {
	if len(secret) < 16 {
		return nil, errors.New("page token secret must be at least 16 bytes")
	}
	key := sha256.Sum256(secret)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("page token cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("page token cipher: %w", err)
	}
	return &PageCodec{aead: aead}, nil
}

// processPages is the codec of the stores given none: its key is random
// and lives as long as the process.
var processPages = sync.OnceValue(func() *PageCodec {
	c, err := NewPageCodec([]byte(rand.Text()))
	if err != nil {
		panic(err) // rand.Text is 26 characters, above NewPageCodec's minimum
	}
	return c
})

// ErrBadPageToken is returned for a token that was altered, forged,
// truncated or issued for another listing.
var ErrBadPageToken = fmt.Errorf("%w: pageIdentifier is not a token this listing issued", fault.Invalid)

func (c *PageCodec) encode(scope string, key map[string]types.AttributeValue) (string, error) {
	if len(key) == 0 {
		return "", nil
	}
	plain := map[string]string{}
	for k, v := range key {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("page key attribute %s is not a string", k)
		}
		plain[k] = s.Value
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return "", fmt.Errorf("encode page key: %w", err)
	}
	return c.seal(scope, b)
}

func (c *PageCodec) seal(scope string, plain []byte) (string, error) {
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("page token nonce: %w", err)
	}
	sealed := c.aead.Seal(nonce, nonce, plain, []byte(scope))
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (c *PageCodec) open(scope, token string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < c.aead.NonceSize() {
		return nil, ErrBadPageToken
	}
	nonce, sealed := raw[:c.aead.NonceSize()], raw[c.aead.NonceSize():]
	b, err := c.aead.Open(nil, nonce, sealed, []byte(scope))
	if err != nil {
		return nil, ErrBadPageToken
	}
	return b, nil
}

// Seal wraps another service's continuation token (such as an
// Organizations NextToken) for scope, so a client only ever holds, and
// sends back, tokens this API sealed. An empty token stays empty.
func (c *PageCodec) Seal(scope, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	return c.seal(scope, []byte(token))
}

// Open returns the token Seal wrapped for scope, or ErrBadPageToken for a
// value it did not seal for that scope. An empty token stays empty.
func (c *PageCodec) Open(scope, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := c.open(scope, token)
	return string(b), err
}

func (c *PageCodec) decode(scope, token string) (map[string]types.AttributeValue, error) {
	if token == "" {
		return nil, nil
	}
	b, err := c.open(scope, token)
	if err != nil {
		return nil, err
	}
	var plain map[string]string
	if err := json.Unmarshal(b, &plain); err != nil {
		return nil, ErrBadPageToken
	}
	key := make(map[string]types.AttributeValue, len(plain))
	for k, v := range plain {
		key[k] = &types.AttributeValueMemberS{Value: v}
	}
	return key, nil
}
