package drift

import (
	"context"
	"fmt"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/lifecycle"
)

// Org gives the pool configuration and the accounts of an OU in the
// management account, reached through the hub's role chain
// (lifecycle/chain.Clients).
type Org interface {
	Pool(ctx context.Context) (config.AccountPoolParam, error)
	Accounts(ctx context.Context, parentID string) ([]account.Member, error)
}

// Placement lists the accounts of each of the seven pool OUs: account id →
// OU. An account in none of them is absent.
func Placement(ctx context.Context, org Org) (map[string]account.OU, error) {
	p, err := org.Pool(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the pool configuration: %w", err)
	}
	ids := lifecycle.PoolOUIDs(p)
	placement := map[string]account.OU{}
	for _, ou := range account.OUs {
		if ids[ou] == "" {
			return nil, fmt.Errorf("the pool configuration has no OU id for %s", ou)
		}
		accounts, err := org.Accounts(ctx, ids[ou])
		if err != nil {
			return nil, fmt.Errorf("list the accounts of the %s OU (%s): %w", ou, ids[ou], err)
		}
		for _, a := range accounts {
			placement[a.ID] = ou
		}
	}
	return placement, nil
}
