package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/page"
)

func dynamoClient(cfg aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(cfg) }

// snapshot is the observable state of the given accounts and leases: rows
// (status, holder), OUs and user assignments, without versions and times.
// Accounts, leases and users are named by their position and email, so
// snapshots of two worlds built alike compare equal.
func (w *world) snapshot(accounts []string, leases []lease.Key) string {
	w.t.Helper()
	label := map[lease.Key]string{}
	for i, k := range leases {
		label[k] = fmt.Sprintf("lease%d", i)
	}
	emails := map[string]string{}
	for e, id := range w.users {
		emails[id] = e
	}
	var b strings.Builder
	for i, id := range accounts {
		a, err := w.Store.Accounts().Get(context.Background(), id)
		row := "no row"
		if err == nil {
			holder := "-"
			if a.Lease != nil {
				holder = label[*a.Lease]
			}
			row = fmt.Sprintf("%s holder=%s cleanupRun=%v", a.Status, holder, a.Cleanup != nil)
		}
		var access []string
		for _, p := range w.assignees(id) {
			access = append(access, emails[p])
		}
		fmt.Fprintf(&b, "account%d: %s; ou=%s; access=%v\n", i, row, w.ouOf(id), access)
	}
	for i, k := range leases {
		fmt.Fprintf(&b, "lease%d: %s\n", i, w.lease(k).Status)
	}
	return b.String()
}

// invariants checks, over every account row and the given leases:
// each account sits in exactly the OU its status names; the lessee's user
// assignment exists iff the account is Active under an Active lease, and
// no other user has one; every lease that holds an account (Active,
// Frozen) is named by that account's row in the matching status, so no
// lease is lost. Accounts without a row (deleted, or never registered)
// count too: none of them has a user assignment.
func (w *world) invariants(leases []lease.Key) []string {
	return w.invariantsOf(nil, leases)
}

// invariantsOf is invariants over the rows of the given accounts only
// (every row when accounts is nil).
func (w *world) invariantsOf(accounts []string, leases []lease.Key) []string {
	w.t.Helper()
	ctx := context.Background()
	var problems []string
	var rows []account.Account
	for _, id := range accounts {
		if a, err := w.Store.Accounts().Get(ctx, id); err == nil {
			rows = append(rows, a)
		}
	}
	untracked := accounts
	if untracked == nil {
		untracked = w.created
	}
	token := ""
	for accounts == nil {
		page, next, err := w.Store.Accounts().List(ctx, page.Page{Size: 100, Token: token})
		if err != nil {
			w.t.Fatal(err)
		}
		rows = append(rows, page...)
		if next == "" {
			break
		}
		token = next
	}
	for _, a := range rows {
		if got := w.ouOf(a.ID); got != string(a.Status) {
			problems = append(problems, fmt.Sprintf("account %s is %s but sits in %s", a.ID, a.Status, got))
		}
		var want []string
		if a.Status == account.Active && a.Lease != nil {
			if l := w.lease(*a.Lease); l.Status == lease.Active {
				want = []string{w.users[l.UserEmail]}
			}
		}
		got := w.assignees(a.ID)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			problems = append(problems, fmt.Sprintf("account %s (%s) has user access %v, want %v", a.ID, a.Status, got, want))
		}
	}
	for _, id := range untracked {
		if _, err := w.Store.Accounts().Get(ctx, id); !errors.Is(err, fault.NotFound) {
			continue // a row: checked above
		}
		if got := w.assignees(id); len(got) > 0 {
			problems = append(problems, fmt.Sprintf("account %s has no row but user access %v", id, got))
		}
	}
	for _, k := range leases {
		l := w.lease(k)
		if !l.Status.Monitored() {
			continue
		}
		a, err := w.Store.Accounts().Get(ctx, l.AccountID)
		if err != nil || a.Lease == nil || *a.Lease != k || string(a.Status) != string(l.Status) {
			problems = append(problems, fmt.Sprintf("lease %s is %s but its account row is %+v (%v)", k.UUID, l.Status, a, err))
		}
	}
	return problems
}
