package signin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/isb-go/isb/common/auth"
)

// FuzzOpenRequest: the request cookie parser never panics and opens only
// values the key sealed.
func FuzzOpenRequest(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	good, err := sealRequest(context.Background(), jwtKey, jwtKey.ID, "id-abc", now.Add(time.Minute).Unix())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "..", "...", good, good + ".", "a.b.c", "a.b.c.d", "aWQ.99999999999999999999.xx.yy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		id, ok := openRequest(v, now, auth.KeySet{Current: jwtKey.Public()})
		if !ok {
			return
		}
		// Only the key holder signs, so whatever opens carries the sealed
		// payload (id, expiry and key id) unchanged.
		if id != "id-abc" || !strings.HasPrefix(v, good[:strings.LastIndexByte(good, '.')+1]) {
			t.Fatalf("opened %q to %q: a payload the key did not seal", v, id)
		}
	})
}
