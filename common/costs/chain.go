package costs

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/spend"
)

// PoolParam gives the pool's shared configuration, which names the
// management account. *poolparam.Source satisfies it.
type PoolParam interface {
	Get(ctx context.Context) (config.AccountPoolParam, error)
}

// Chain builds the Cost Explorer client of the pool's management account,
// reached through the hub's OrgMgt hop and then names.OrgMgtRole.
// The pool parameter is read on first use (and cached by its source);
// nothing touches the network before the first call.
type Chain struct {
	pool    PoolParam
	clients *rolechain.Hops[API]
}

// NewChain returns the source. session names the caller in CloudTrail
// (names.Physical(ns, session)).
func NewChain(cfg aws.Config, namespace, hubAccountID, session string, pool PoolParam) *Chain {
	return &Chain{pool: pool, clients: rolechain.NewHops(cfg, namespace, hubAccountID, session, names.OrgMgtRole,
		func(chained aws.Config) API { return costexplorer.NewFromConfig(chained) })}
}

// Client returns the management account's Cost Explorer client.
func (c *Chain) Client(ctx context.Context) (API, error) {
	p, err := c.pool.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the management account: %w", err)
	}
	return c.clients.Client(p.OrgMgtAccountID), nil
}

// roles is the chain to the management account's OrgMgt role.
func (c *Chain) roles(orgMgtAccountID string) []string {
	return c.clients.Roles(orgMgtAccountID)
}

// Fetch is Explorer.Fetch with the chain's client.
func (c *Chain) Fetch(ctx context.Context, into spend.Daily, accounts []string, start, end string) (int, error) {
	return Explorer{Clients: c}.Fetch(ctx, into, accounts, start, end)
}
