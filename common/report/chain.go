package report

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
)

// PoolParam gives the account pool's shared configuration, which names the
// management account. *poolparam.Source satisfies it.
type PoolParam interface {
	Get(ctx context.Context) (config.AccountPoolParam, error)
}

// ChainCostExplorers reaches Cost Explorer in the management account
// through the hub's intermediate role, then names.OrgMgtRole. It reads the
// pool parameter and assumes the roles only when first asked, and builds
// one client per management account.
type ChainCostExplorers struct {
	cfg       aws.Config
	namespace string
	hub       string
	pool      PoolParam

	mu      sync.Mutex
	clients map[string]CostExplorer
}

// NewChainCostExplorers returns the source. hubAccountID is the account
// the function runs in.
func NewChainCostExplorers(cfg aws.Config, namespace, hubAccountID string, pool PoolParam) *ChainCostExplorers {
	return &ChainCostExplorers{cfg: cfg, namespace: namespace, hub: hubAccountID, pool: pool,
		clients: map[string]CostExplorer{}}
}

// CostExplorer returns the management account's Cost Explorer client.
func (c *ChainCostExplorers) CostExplorer(ctx context.Context) (CostExplorer, error) {
	p, err := c.pool.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the management account: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ce, ok := c.clients[p.OrgMgtAccountID]; ok {
		return ce, nil
	}
	chained := awscfg.Chain(c.cfg, names.Physical(c.namespace, "cost-reporter"),
		awscfg.RoleARN(c.hub, c.namespace, names.IntermediateRole),
		awscfg.RoleARN(p.OrgMgtAccountID, c.namespace, names.OrgMgtRole))
	ce := costexplorer.NewFromConfig(chained)
	c.clients[p.OrgMgtAccountID] = ce
	return ce, nil
}

var _ CostExplorers = (*ChainCostExplorers)(nil)
