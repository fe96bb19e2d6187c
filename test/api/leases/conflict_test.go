package leases_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/common/template"
	"github.com/isb-go/isb/functions/api-leases/leasesapi"
	"github.com/isb-go/isb/test/api/apitest"
	"github.com/isb-go/isb/test/emulator"
)

// TestTransactionConflictsAreNeverA409WhileAccountsRemain runs the API
// against a DynamoDB that cancels a third of the transactions with
// TransactionConflict, as DynamoDB does when two requests touch the same
// user's quota item or the same account.
func TestTransactionConflictsAreNeverA409WhileAccountsRemain(t *testing.T) {
	ctx := context.Background()
	e := apitest.New(t)
	f := &emulator.Faults{TransactionConflictRate: 0.3, Seed: 21}
	faulty := ddbstore.New(dynamodb.NewFromConfig(f.Wrap(e.Cfg)), e.Store.Tables(), nil)
	svc := leasing.New(leasing.Deps{Leases: faulty.Leases(), Granter: faulty, Templates: e.Store.Templates(),
		Config: e.Config, Outbox: e.Relay, Now: e.Clock.Now, NewID: e.NewID})
	h := e.Server(routes.Leases, leasesapi.Handlers(svc, sessions(e)))
	e.Pool(12)
	tpl := e.Template("ci", false, template.Public)

	// Eight pipelines ask twice each, at once, for twelve accounts.
	callers := make([]auth.Caller, 16)
	for i := range callers {
		callers[i] = auth.Caller{Email: fmt.Sprintf("ci-%d@example.com", i%8), Roles: []routes.Role{routes.User}}
	}
	results := apitest.AtOnce(t, h, len(callers), func(i int) events.APIGatewayProxyRequest {
		return e.Event("POST", "/leases", &callers[i], request(tpl.UUID))
	})
	var leased []leasesapi.Lease
	var leasedBy []auth.Caller
	for i, r := range results {
		switch {
		case r.Status == http.StatusCreated:
			var l leasesapi.Lease
			r.Into(t, &l)
			leased, leasedBy = append(leased, l), append(leasedBy, callers[i])
		case r.Status == http.StatusConflict && r.Headers["Retry-After"] != "":
			// the pool is empty
		default:
			t.Errorf("request %d: %d %s", i, r.Status, r.Raw)
		}
	}
	if len(leased) != 12 {
		t.Fatalf("%d leases granted, want 12", len(leased))
	}
	if f.Injected("TransactWriteItems") == 0 {
		t.Fatal("no conflict was injected")
	}
	held := map[string]bool{}
	for _, l := range leased {
		if held[l.AwsAccountID] {
			t.Fatalf("account %s granted twice", l.AwsAccountID)
		}
		held[l.AwsAccountID] = true
	}
	if avail, _, _ := e.Store.Accounts().ListByStatus(ctx, page.StatusQuery{Status: string(account.Available)},
		page.Page{}); len(
		avail,
	) != 0 {
		t.Fatalf("%d accounts left Available while requests were refused", len(avail))
	}

	t.Run("every pipeline terminates its leases at once and none is refused", func(t *testing.T) {
		statuses := apitest.Statuses(apitest.AtOnce(t, h, len(leased), func(i int) events.APIGatewayProxyRequest {
			return e.Event("POST", "/leases/"+leased[i].LeaseID+"/terminate", &leasedBy[i], nil)
		}))
		for i, s := range statuses {
			if s != http.StatusOK {
				t.Errorf("terminate %s: %d", leased[i].LeaseID, s)
			}
		}
		for i := range 8 {
			email := fmt.Sprintf("ci-%d@example.com", i)
			if n, err := e.Store.Leases().Count(ctx, email); err != nil || n != 0 {
				t.Errorf("%s still counts %d leases (%v)", email, n, err)
			}
		}
		ended, _, _ := e.Store.Leases().
			ListByStatus(ctx, page.StatusQuery{Status: string(lease.ManuallyTerminated)}, page.Page{Size: 50})
		if len(ended) != 12 {
			t.Fatalf("%d leases terminated, want 12", len(ended))
		}
	})
}
