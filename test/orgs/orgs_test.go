package orgs_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/orgs"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

func TestTheOrganizationsAdapterOverTheEmulator(t *testing.T) {
	cfg := emulator.Config(t)
	org := fixture.NewOrg(t, cfg)
	a := orgs.New(org.Client)
	ids := []string{org.NewAccount(account.Entry), org.NewAccount(account.Entry), org.NewAccount(account.Entry)}

	t.Run("Parent names the OU an account sits in", func(t *testing.T) {
		got, err := a.Parent(t.Context(), ids[0])
		if err != nil || got != org.OUs[account.Entry] {
			t.Fatalf("Parent = %q, %v; want %q", got, err, org.OUs[account.Entry])
		}
	})
	t.Run("Move moves the account between OUs", func(t *testing.T) {
		if err := a.Move(t.Context(), ids[0], org.OUs[account.Entry], org.OUs[account.CleanUp]); err != nil {
			t.Fatal(err)
		}
		if got := org.Parent(ids[0]); got != org.OUs[account.CleanUp] {
			t.Fatalf("parent after the move = %q, want the CleanUp OU", got)
		}
	})
	t.Run("Describe returns the account's email and name", func(t *testing.T) {
		m, err := a.Describe(t.Context(), ids[1])
		if err != nil || m.ID != ids[1] || m.Email == "" || m.Name == "" {
			t.Fatalf("Describe = %+v, %v", m, err)
		}
	})
	t.Run("an account the organization does not hold is fault.NotFound", func(t *testing.T) {
		if _, err := a.Describe(t.Context(), "999999999999"); !errors.Is(err, fault.NotFound) {
			t.Fatalf("err = %v, want fault.NotFound", err)
		}
	})
	t.Run("AccountsPage follows Organizations' tokens to the end and Accounts reads every page", func(t *testing.T) {
		var seen []string
		token := ""
		for range 10 {
			page, next, err := a.AccountsPage(t.Context(), org.OUs[account.Entry], 1, token)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page {
				seen = append(seen, m.ID)
			}
			if token = next; token == "" {
				break
			}
		}
		all, err := a.Accounts(t.Context(), org.OUs[account.Entry])
		if err != nil {
			t.Fatal(err)
		}
		var allIDs []string
		for _, m := range all {
			allIDs = append(allIDs, m.ID)
		}
		slices.Sort(seen)
		slices.Sort(allIDs)
		want := slices.Sorted(slices.Values(ids[1:]))
		if !slices.Equal(seen, want) || !slices.Equal(allIDs, want) {
			t.Fatalf("paged %v, listed %v; want %v", seen, allIDs, want)
		}
	})
}
