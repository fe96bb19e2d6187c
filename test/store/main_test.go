// Package store_test exercises the DynamoDB stores against the moto
// emulator over HTTP, through the same clients production builds.
package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// t0 is a fixed clock reading, at the stores' millisecond precision.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// newStore resets the emulator and creates the three tables.
func newStore(t testing.TB) *ddbstore.Store {
	t.Helper()
	return fixture.Store(t, emulator.Config(t))
}

func pendingLease(email string) lease.Lease {
	hours := 8.0
	return lease.Lease{
		Key:                  lease.Key{UserEmail: email, UUID: uuid.NewString()},
		Status:               lease.PendingApproval,
		OriginalTemplateUUID: uuid.NewString(),
		OriginalTemplateName: "ci",
		Terms:                lease.Terms{LeaseDurationInHours: &hours},
		CreatedAt:            t0,
	}
}

// accountID returns the i-th test account id.
func accountID(i int) string { return fmt.Sprintf("%012d", 100000000000+i) }

// availableAccounts returns n Available accounts cleaned at the given time.
func availableAccounts(n int, cleanedAt time.Time) []account.Account {
	out := make([]account.Account, n)
	for i := range out {
		out[i] = account.Account{ID: accountID(i), Status: account.Available,
			StatusChangedAt: cleanedAt, LastCleanedAt: cleanedAt, CreatedAt: cleanedAt}
	}
	return out
}
