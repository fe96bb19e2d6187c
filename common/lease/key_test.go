package lease_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/lease"
)

func TestParseIDAcceptsOnlyTheIdsKeyIDMakes(t *testing.T) {
	good := lease.Key{UserEmail: "dev@example.com", UUID: "5a1b2c3d-0000-4000-8000-000000000001"}
	raw := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	longEmail := strings.Repeat("a", 250) + "@example.com"
	cases := []struct {
		name string
		id   string
		ok   bool
	}{
		{"an id made by Key.ID parses", good.ID(), true},
		{"the longest id Key.ID makes parses", lease.Key{UserEmail: strings.Repeat("&", 248) + "@b.com", UUID: good.UUID}.ID(), true},
		{"an id that is not base64url is refused", "%%%", false},
		{"padded base64 is refused", base64.URLEncoding.EncodeToString([]byte(`{"userEmail":"dev@example.com","uuid":"5a1b2c3d-0000-4000-8000-000000000001"}`)), false},
		{"the keys in another order are refused", raw(`{"uuid":"5a1b2c3d-0000-4000-8000-000000000001","userEmail":"dev@example.com"}`), false},
		{"whitespace inside the JSON is refused", raw(`{"userEmail": "dev@example.com","uuid":"5a1b2c3d-0000-4000-8000-000000000001"}`), false},
		{"an extra field is refused", raw(`{"userEmail":"dev@example.com","uuid":"5a1b2c3d-0000-4000-8000-000000000001","x":1}`), false},
		{"differently cased field names are refused", raw(`{"UserEmail":"dev@example.com","UUID":"5a1b2c3d-0000-4000-8000-000000000001"}`), false},
		{"a uuid that is not a UUID is refused", lease.Key{UserEmail: "dev@example.com", UUID: "x"}.ID(), false},
		{"an email that is not an address is refused", lease.Key{UserEmail: "dev", UUID: good.UUID}.ID(), false},
		{"an email longer than 254 bytes is refused", lease.Key{UserEmail: longEmail, UUID: good.UUID}.ID(), false},
		{"an id longer than any lease id is refused before decoding", good.ID() + strings.Repeat("A", 4096), false},
		{"an empty id is refused", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ok && len(tc.id) > lease.MaxIDLength {
				t.Fatalf("id of %d characters is over MaxIDLength %d", len(tc.id), lease.MaxIDLength)
			}
			k, err := lease.ParseID(tc.id)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseID = %+v, %v; want ok=%v", k, err, tc.ok)
			}
			if tc.ok && k.UUID != good.UUID {
				t.Fatalf("ParseID = %+v, want %+v", k, good)
			}
		})
	}
}

func TestValidEmailIsBoundedAtTheLengthSMTPAllows(t *testing.T) {
	at254 := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com"
	if len(at254) != 254 || !lease.ValidEmail(at254) {
		t.Fatalf("a %d-byte address is refused", len(at254))
	}
	if lease.ValidEmail("a" + at254) {
		t.Fatal("a 255-byte address is accepted")
	}
	if lease.ValidEmail(strings.Repeat("a", 3000) + "@example.com") {
		t.Fatal("a 3,012-byte address is accepted")
	}
}
