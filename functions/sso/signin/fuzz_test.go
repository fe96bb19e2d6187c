package signin

import (
	"strings"
	"testing"
	"time"
)

// FuzzOpenRequest: the request cookie parser never panics and opens only
// values the key sealed.
func FuzzOpenRequest(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	good := sealRequest(jwtKey, "id-abc", now.Add(time.Minute).Unix())
	for _, s := range []string{"", "..", good, good + ".", "a.b.c", "aWQ.99999999999999999999.xx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		id, ok := openRequest(v, now, jwtKey)
		if !ok {
			return
		}
		// Only the key holder makes a MAC, so whatever opens carries the
		// sealed payload (id and expiry) unchanged.
		if id != "id-abc" || !strings.HasPrefix(v, good[:strings.LastIndexByte(good, '.')+1]) {
			t.Fatalf("opened %q to %q: a payload the key did not seal", v, id)
		}
	})
}
