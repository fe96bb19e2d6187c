// Package store_test exercises the DynamoDB stores against the moto
// emulator over HTTP, through the same clients production builds.
package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/test/emulator"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// t0 is a fixed clock reading, at the stores' millisecond precision.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// newStore resets the emulator and creates the three tables.
func newStore(t testing.TB) *ddbstore.Store {
	t.Helper()
	db := dynamodb.NewFromConfig(emulator.Config(t))
	return storeOn(t, db)
}

func storeOn(t testing.TB, db *dynamodb.Client) *ddbstore.Store {
	t.Helper()
	tables := ddbstore.TablesFor("test")
	if err := ddbstore.CreateTables(context.Background(), db, tables); err != nil {
		t.Fatal(err)
	}
	codec, err := ddbstore.NewPageCodec([]byte("store-test-page-secret"))
	if err != nil {
		t.Fatal(err)
	}
	return ddbstore.New(db, tables, codec)
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
