package drift

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/lifecycle"
)

// Org gives the pool configuration and the management account's
// Organizations client, reached through the hub's role chain
// (lifecycle.ChainClients).
type Org interface {
	Pool(ctx context.Context) (config.AccountPoolParam, error)
	OrgAccounts(ctx context.Context, p config.AccountPoolParam) (organizations.ListAccountsForParentAPIClient, error)
}

// Placement lists the accounts of each of the seven pool OUs: account id →
// OU. An account in none of them is absent.
func Placement(ctx context.Context, org Org) (map[string]account.OU, error) {
	p, err := org.Pool(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the pool configuration: %w", err)
	}
	client, err := org.OrgAccounts(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("reach the management account: %w", err)
	}
	ids := lifecycle.PoolOUIDs(p)
	placement := map[string]account.OU{}
	for _, ou := range account.OUs {
		if ids[ou] == "" {
			return nil, fmt.Errorf("the pool configuration has no OU id for %s", ou)
		}
		pages := organizations.NewListAccountsForParentPaginator(client,
			&organizations.ListAccountsForParentInput{ParentId: aws.String(ids[ou])})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list the accounts of the %s OU (%s): %w", ou, ids[ou], err)
			}
			for _, a := range out.Accounts {
				placement[aws.ToString(a.Id)] = ou
			}
		}
	}
	return placement, nil
}
