package accounts_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/pool"
	"github.com/isb-go/isb/test/api/apitest"
)

// Every page identifier a client sends must be one this API sealed: the
// Entry OU listing never hands Organizations a value from the client.
func TestTheUnregisteredListingAcceptsOnlyTokensItSealed(t *testing.T) {
	e, h, o := setup(t)
	first := apitest.Decode[apitest.Page[pool.Unregistered]](t, h, e.Event("GET", "/accounts/unregistered?pageSize=1", &apitest.Admin, nil))
	if first.Next == nil {
		t.Fatal("no next page after the first of two accounts")
	}
	t.Run("the token it issued continues the listing", func(t *testing.T) {
		next := apitest.Decode[apitest.Page[pool.Unregistered]](t, h, e.Event("GET", "/accounts/unregistered?pageSize=1&pageIdentifier="+*first.Next, &apitest.Admin, nil))
		if len(next.Result) != 1 || next.Result[0].ID == first.Result[0].ID {
			t.Fatalf("second page = %+v after %+v", next.Result, first.Result)
		}
	})
	orgToken := func() string {
		out, err := o.Client.ListAccountsForParent(context.Background(), &organizations.ListAccountsForParentInput{
			ParentId: aws.String(o.OUs[account.Entry]), MaxResults: aws.Int32(1)})
		if err != nil || out.NextToken == nil {
			t.Fatalf("list the Entry OU: %v, %v", out, err)
		}
		return aws.ToString(out.NextToken)
	}()
	if err := e.Store.Accounts().Import(context.Background(), []account.Account{
		{ID: "100000000001", Status: account.Available}, {ID: "100000000002", Status: account.Available},
	}); err != nil {
		t.Fatal(err)
	}
	var accounts struct {
		Next *string `json:"nextPageIdentifier"`
	}
	apitest.Call(t, h, e.Event("GET", "/accounts?pageSize=1", &apitest.Admin, nil)).Into(t, &accounts)
	if accounts.Next == nil {
		t.Fatal("no next page of registered accounts")
	}
	cases := []struct{ name, token string }{
		{"a junk value", "abc"},
		{"Organizations' own token", orgToken},
		{"a token the registered-accounts listing issued", *accounts.Next},
		{"an altered token", (*first.Next)[:len(*first.Next)-2] + "AA"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is 400 naming pageIdentifier", func(t *testing.T) {
			apitest.Call(t, h, e.Event("GET", "/accounts/unregistered?pageIdentifier="+tc.token, &apitest.Admin, nil)).
				Want(t, http.StatusBadRequest, "pageIdentifier")
		})
	}
}

func TestAnAccountIdThatIsNotTwelveDigitsIsRefusedNamingIt(t *testing.T) {
	e, h, _ := setup(t)
	for _, id := range []string{"12345", "abcdefghijkl", strings.Repeat("1", 3000)} {
		for _, route := range []struct{ method, suffix string }{{"GET", ""}, {"POST", "/retryCleanup"}, {"POST", "/eject"}} {
			t.Run(route.method+" "+route.suffix+" with "+id[:min(len(id), 12)]+" is 400", func(t *testing.T) {
				apitest.Call(t, h, e.Event(route.method, "/accounts/"+id+route.suffix, &apitest.Admin, nil)).
					Want(t, http.StatusBadRequest, "awsAccountId")
			})
		}
	}
}
