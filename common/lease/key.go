package lease

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/isb-go/isb/common/email"
)

// Key identifies a lease: the lessee's email and the lease UUID, which are
// the partition and sort keys of the lease table.
type Key struct {
	UserEmail string `json:"userEmail"`
	UUID      string `json:"uuid"`
}

// ID is the opaque lease identifier the API and CLI use: the key as
// base64url-encoded JSON.
func (k Key) ID() string {
	b, _ := json.Marshal(k) // a struct of two strings always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

func (k Key) String() string { return k.UserEmail + "/" + k.UUID }

// MaxIDLength bounds a lease identifier: it is the longest one Key.ID can
// make (a MaxEmailLength email whose every byte JSON escapes to six, such
// as "&", and a UUID), so a longer value is refused before decoding.
const MaxIDLength = ((len(`{"userEmail":"","uuid":""}`)+36+6*MaxEmailLength)*4 + 2) / 3

// ParseID decodes a lease identifier made by Key.ID, and only such an
// identifier: the email must be an address of at most MaxEmailLength
// bytes, the uuid a UUID, and the id exactly what Key.ID gives for them
// (no other key order, spacing, casing or extra field), so one lease has
// one id and no oversized value reaches the table.
func ParseID(id string) (Key, error) {
	if len(id) > MaxIDLength {
		return Key{}, fmt.Errorf("a lease id is at most %d characters", MaxIDLength)
	}
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return Key{}, fmt.Errorf("lease id is not valid base64url")
	}
	var k Key
	// The email must be the canonical spelling the lease was stored under:
	// ownership is compared exactly.
	if err := json.Unmarshal(b, &k); err != nil || !email.Canonical(k.UserEmail) || !ValidUUID(k.UUID) || k.ID() != id {
		return Key{}, fmt.Errorf("lease id does not name a lease")
	}
	return k, nil
}
