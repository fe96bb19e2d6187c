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

// ParseID decodes a lease identifier made by Key.ID.
func ParseID(id string) (Key, error) {
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return Key{}, fmt.Errorf("lease id %q is not valid base64url", id)
	}
	var k Key
	// The email must be the canonical spelling the lease was stored under:
	// ownership is compared exactly.
	if err := json.Unmarshal(b, &k); err != nil || !email.Canonical(k.UserEmail) || k.UUID == "" {
		return Key{}, fmt.Errorf("lease id %q does not name a lease", id)
	}
	return k, nil
}
