// Package accounts_test drives the /accounts routes through the real
// handler, pool service and stores, with AWS Organizations in the emulator
// reached through the hub's role chain.
package accounts_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	isbevents "github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/lifecycle/chain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/orgs"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/pool"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-accounts/accountsapi"
	"github.com/isb-go/isb/test/api/apitest"
	"github.com/isb-go/isb/test/fixture"
)

// mgmt is the emulator's default account, which creates the organization.
const mgmt, hub, idc = fixture.EmulatorAccount, fixture.HubAccount, fixture.IdcAccount

// org is the organization with the pool's OUs: two accounts wait in
// Entry, one sits under the root, two are in Available.
type org struct {
	*fixture.Org
	inEntry, outside, available []string
	// ic is the IAM Identity Center eject revokes access in.
	ic *fixture.IdentityCenter
}

func newOrg(t *testing.T, cfg aws.Config) org {
	t.Helper()
	o := org{Org: fixture.NewOrg(t, cfg)}
	acct := func(i int, ou account.OU) string { return o.NewAccountNamed(fmt.Sprintf("sandbox-%d", i), ou) }
	o.inEntry = []string{acct(1, account.Entry), acct(2, account.Entry)}
	o.outside = []string{acct(3, "")}
	o.available = []string{acct(4, account.Available), acct(5, account.Available)}
	return o
}

func setup(t *testing.T) (*apitest.Env, apitest.Handler, org) {
	t.Helper()
	e := apitest.New(t)
	o := newOrg(t, e.Cfg)
	fixture.PutParam(t, e.Cfg, fixture.PoolParamName, config.AccountPoolParam{EntryOuID: o.OUs[account.Entry],
		ExitOuID: o.OUs[account.Exit], AvailableOuID: o.OUs[account.Available], OrgMgtAccountID: mgmt})
	o.ic = fixture.NewIdentityCenter(t, e.Cfg, hub, idc)
	fixture.PutParam(t, e.Cfg, fixture.IdcParamName, o.ic.Param)
	return e, server(e, fixture.PoolParamName, fixture.IdcParamName), o
}

// server builds the accounts API over the pool service, its access
// revoked through the IDC parameter idcParam.
func server(e *apitest.Env, poolParam, idcParam string) apitest.Handler {
	access := lifecycle.NewReconciler(chain.New(e.Cfg, fixture.Namespace, hub, poolParam, idcParam).Lifecycle())
	pp := poolparam.New(paramstore.New(e.Cfg), poolParam, 0, nil)
	svc := pool.New(pool.Deps{Accounts: e.Store.Accounts(), Leases: e.Store.Leases(), Config: e.Config,
		Pool: pp, Org: orgs.NewChain(e.Cfg, fixture.Namespace, hub, "api-accounts", pp),
		Outbox: e.Relay, Access: access, Pages: e.Store.Pages(), HubAccountID: hub, IdcAccountID: idc,
		Now: e.Clock.Now})
	return e.Server(routes.Accounts, accountsapi.Handlers(svc))
}

// grantAccess assigns the user permission set to a new user with the email
// on an account, as the lifecycle manager does for a lessee.
func grantAccess(t *testing.T, ic *fixture.IdentityCenter, accountID, email string) {
	t.Helper()
	if _, err := ic.SSO.CreateAccountAssignment(t.Context(), &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(ic.Param.SsoInstanceArn), PermissionSetArn: aws.String(ic.Param.UserPermissionSetArn),
		PrincipalId: aws.String(ic.CreateUser(email)), PrincipalType: ssotypes.PrincipalTypeUser,
		TargetId: aws.String(accountID), TargetType: ssotypes.TargetTypeAwsAccount}); err != nil {
		t.Fatal(err)
	}
}

func register(id string) map[string]any { return map[string]any{"awsAccountId": id} }

func parent(t *testing.T, o org, id string) string {
	t.Helper()
	out, err := o.Client.ListParents(context.Background(), &organizations.ListParentsInput{ChildId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Parents[0].Id)
}

func TestAdminsRegisterAccountsFromTheEntryOU(t *testing.T) {
	e, h, o := setup(t)
	t.Run("the Entry OU is listed page by page", func(t *testing.T) {
		var seen []string
		q := "?pageSize=1"
		for range 3 {
			p := apitest.Decode[apitest.Page[pool.Unregistered]](t, h, e.Event("GET", "/accounts/unregistered"+q, &apitest.Admin, nil))
			for _, a := range p.Result {
				seen = append(seen, a.ID)
			}
			if p.Next == nil {
				break
			}
			q = "?pageSize=1&pageIdentifier=" + *p.Next
		}
		slices.Sort(seen)
		want := slices.Sorted(slices.Values(o.inEntry))
		if !slices.Equal(seen, want) {
			t.Fatalf("unregistered = %v, want %v", seen, want)
		}
	})
	var reg accountsapi.Account
	t.Run("an Entry account is recorded in CleanUp and sent to cleanup", func(t *testing.T) {
		r := apitest.Call(t, h, e.Event("POST", "/accounts", &apitest.Admin, register(o.inEntry[0])))
		r.Want(t, http.StatusCreated, "")
		r.Into(t, &reg)
		if reg.Status != string(account.CleanUp) || reg.Email != "sandbox-1@example.com" || reg.Name != "sandbox-1" {
			t.Fatalf("account = %+v", reg)
		}
		evs := e.Events()
		if len(evs) != 1 || evs[0].Envelope.DetailType != names.CleanAccountRequest {
			t.Fatalf("events = %s", fixture.JSON(evs))
		}
		if ev := evs[0].Event.(isbevents.CleanAccountRequest); ev.AccountID != reg.AwsAccountID ||
			ev.Reason != isbevents.CleanupAccountRegistration {
			t.Fatalf("event = %+v", ev)
		}
		if p := parent(t, o, reg.AwsAccountID); p != o.OUs[account.Entry] {
			t.Fatalf("the API moved the account (to %s); the move is the lifecycle manager's", p)
		}
	})
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"registering it again is 409", register(o.inEntry[0]), 409, ""},
		{"an account outside the Entry OU is 409", register(o.outside[0]), 409, ""},
		{"an account outside the organization is 404", register("999999999999"), 404, ""},
		{"the management account is 400 naming the field", register(mgmt), 400, "awsAccountId"},
		{"the hub account is 400 naming the field", register(hub), 400, "awsAccountId"},
		{"the IDC account is 400 naming the field", register(idc), 400, "awsAccountId"},
		{"an id that is not 12 digits is 400 naming it", register("12345"), 400, "awsAccountId"},
		{"an unknown field is 400 naming it", map[string]any{"awsAccountId": o.inEntry[1], "ou": "x"}, 400, "ou"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apitest.Call(t, h, e.Event("POST", "/accounts", &apitest.Admin, tc.body)).Want(t, tc.status, tc.field)
		})
	}
	t.Run("only admins may register", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/accounts", &apitest.Manager, register(o.inEntry[1]))).
			Want(t, http.StatusForbidden, "")
	})
	t.Run("registered accounts are listed and read", func(t *testing.T) {
		p := apitest.Decode[apitest.Page[accountsapi.Account]](t, h, e.Event("GET", "/accounts", &apitest.Admin, nil))
		if len(p.Result) != 1 || p.Result[0].AwsAccountID != reg.AwsAccountID {
			t.Fatalf("accounts = %+v", p.Result)
		}
		apitest.Call(t, h, e.Event("GET", "/accounts/"+reg.AwsAccountID, &apitest.Admin, nil)).
			Want(t, http.StatusOK, "")
		apitest.Call(t, h, e.Event("GET", "/accounts/000000000001", &apitest.Admin, nil)).
			Want(t, http.StatusNotFound, "")
	})
	t.Run("a cleanup can be asked again for an account in CleanUp", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/accounts/"+reg.AwsAccountID+"/retryCleanup", &apitest.Admin, nil)).
			Want(t, http.StatusOK, "")
		evs := e.Events()
		if len(evs) != 1 || evs[0].Event.(isbevents.CleanAccountRequest).Reason != isbevents.CleanupRetryFailed {
			t.Fatalf("events = %s", fixture.JSON(evs))
		}
	})
	t.Run("an account in CleanUp cannot be ejected", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/accounts/"+reg.AwsAccountID+"/eject", &apitest.Admin, nil)).
			Want(t, http.StatusConflict, "")
	})
}

func TestEjectionEndsTheLeaseAndLeavesThePool(t *testing.T) {
	e, h, o := setup(t)
	ctx := context.Background()
	if err := e.Store.Accounts().Import(ctx, []account.Account{
		{ID: o.available[0], Status: account.Available, StatusChangedAt: apitest.T0.Add(-48e9 * 3600)},
		{ID: o.available[1], Status: account.Quarantine, StatusChangedAt: apitest.T0},
	}); err != nil {
		t.Fatal(err)
	}
	g, err := e.Store.Grant(ctx, account.GrantRequest{New: true, Now: apitest.T0, ApprovedBy: lease.AutoApproved,
		Lease: lease.Lease{
			Key:    lease.Key{UserEmail: apitest.CI.Email, UUID: "5a1b2c3d-0000-4000-8000-000000000001"},
			Status: lease.PendingApproval,
		}})
	if err != nil || g.Account.ID != o.available[0] {
		t.Fatalf("grant = %+v, %v", g, err)
	}
	t.Run("retrying cleanup of an active account is 409", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/accounts/"+o.available[0]+"/retryCleanup", &apitest.Admin, nil)).
			Want(t, http.StatusConflict, "")
	})
	t.Run("a quarantined account goes back to CleanUp", func(t *testing.T) {
		a := apitest.Decode[accountsapi.Account](t, h, e.Event("POST", "/accounts/"+o.available[1]+"/retryCleanup", &apitest.Admin, nil))
		if a.Status != string(account.CleanUp) {
			t.Fatalf("account = %+v", a)
		}
		e.Events()
	})
	grantAccess(t, o.ic, o.available[0], apitest.CI.Email)
	t.Run("an ejected account's lease ends as Ejected", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/accounts/"+o.available[0]+"/eject", &apitest.Admin, nil)).
			Want(t, http.StatusOK, "")
		l, err := e.Store.Leases().Get(ctx, g.Lease.Key)
		if err != nil || l.Status != lease.Ejected {
			t.Fatalf("lease = %+v, %v", l.Status, err)
		}
		evs := e.Events()
		if len(evs) != 1 || evs[0].Event.(isbevents.LeaseTerminated).Reason.Type != isbevents.TerminationEjected {
			t.Fatalf("events = %s", fixture.JSON(evs))
		}
	})
	t.Run("no one keeps access to the ejected account", func(t *testing.T) {
		if got := o.ic.Assignees(o.available[0]); len(got) != 0 {
			t.Fatalf("user assignments left on the ejected account: %v", got)
		}
	})
	t.Run("the account is in the Exit OU and no longer recorded", func(t *testing.T) {
		if p := parent(t, o, o.available[0]); p != o.OUs[account.Exit] {
			t.Fatalf("parent = %s, want the Exit OU %s", p, o.OUs[account.Exit])
		}
		apitest.Call(t, h, e.Event("GET", "/accounts/"+o.available[0], &apitest.Admin, nil)).
			Want(t, http.StatusNotFound, "")
	})
	t.Run("ejecting it again is 404", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/accounts/"+o.available[0]+"/eject", &apitest.Admin, nil)).
			Want(t, http.StatusNotFound, "")
	})
}

func TestEjectionRevokesAccessBeforeTheRowIsDeleted(t *testing.T) {
	e, h, o := setup(t)
	ctx := context.Background()
	id := o.available[0]
	if err := e.Store.Accounts().Import(ctx, []account.Account{{ID: id, Status: account.Available,
		StatusChangedAt: apitest.T0.Add(-48e9 * 3600)}}); err != nil {
		t.Fatal(err)
	}
	g, err := e.Store.Grant(ctx, account.GrantRequest{New: true, Now: apitest.T0, ApprovedBy: lease.AutoApproved,
		Lease: lease.Lease{
			Key:    lease.Key{UserEmail: apitest.CI.Email, UUID: "5a1b2c3d-0000-4000-8000-000000000002"},
			Status: lease.PendingApproval,
		}})
	if err != nil || g.Account.ID != id {
		t.Fatalf("grant = %+v, %v", g, err)
	}
	grantAccess(t, o.ic, id, apitest.CI.Email)
	t.Run(
		"an ejection that cannot revoke access keeps the row and the OU, so it can be asked again",
		func(t *testing.T) {
			broken := server(e, fixture.PoolParamName, "/no-such-idc-parameter")
			apitest.Call(t, broken, e.Event("POST", "/accounts/"+id+"/eject", &apitest.Admin, nil)).
				Want(t, http.StatusInternalServerError, "")
			if _, err := e.Store.Accounts().Get(ctx, id); err != nil {
				t.Fatalf("the row is gone while the lessee keeps access: %v", err)
			}
			if p := parent(t, o, id); p != o.OUs[account.Available] {
				t.Fatalf("the account moved to %s before its access was revoked", p)
			}
			if got := o.ic.Assignees(id); len(got) != 1 {
				t.Fatalf("assignees = %v, want the lessee's", got)
			}
		},
	)
	t.Run("asking again revokes the access, then moves the account and deletes the row", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/accounts/"+id+"/eject", &apitest.Admin, nil)).Want(t, http.StatusOK, "")
		if got := o.ic.Assignees(id); len(got) != 0 {
			t.Fatalf("user assignments left on the ejected account: %v", got)
		}
		if p := parent(t, o, id); p != o.OUs[account.Exit] {
			t.Fatalf("parent = %s, want the Exit OU %s", p, o.OUs[account.Exit])
		}
		if _, err := e.Store.Accounts().Get(ctx, id); err == nil {
			t.Fatal("the row is still there")
		}
	})
	t.Run("the lease ended once, as Ejected", func(t *testing.T) {
		l, err := e.Store.Leases().Get(ctx, g.Lease.Key)
		if err != nil || l.Status != lease.Ejected {
			t.Fatalf("lease = %+v, %v", l.Status, err)
		}
		if evs := e.Events(); len(evs) != 1 || evs[0].Envelope.DetailType != names.LeaseTerminated {
			t.Fatalf("events = %s", fixture.JSON(evs))
		}
	})
}
