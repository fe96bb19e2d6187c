package monitor

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/poolparam"
)

// ChainCosts builds the Cost Explorer client of the pool's management
// account, reached through the hub's intermediate role and then
// names.OrgMgtRole. The pool parameter (which names the management
// account) is read on first use and cached; nothing touches the network
// before the first pass.
type ChainCosts struct {
	cfg       aws.Config
	namespace string
	hub       string
	pool      *poolparam.Source

	mu      sync.Mutex
	clients map[string]CostExplorer
}

// NewChainCosts returns the source. pool reads the AccountPool stack's
// shared parameter.
func NewChainCosts(cfg aws.Config, namespace, hubAccountID string, pool *poolparam.Source) *ChainCosts {
	return &ChainCosts{cfg: cfg, namespace: namespace, hub: hubAccountID, pool: pool, clients: map[string]CostExplorer{}}
}

// Client returns the management account's Cost Explorer client.
func (c *ChainCosts) Client(ctx context.Context) (CostExplorer, error) {
	p, err := c.pool.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the management account: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ce, ok := c.clients[p.OrgMgtAccountID]; ok {
		return ce, nil
	}
	chained := awscfg.Chain(c.cfg, names.Physical(c.namespace, "lease-monitor"),
		awscfg.RoleARN(c.hub, c.namespace, names.IntermediateRole),
		awscfg.RoleARN(p.OrgMgtAccountID, c.namespace, names.OrgMgtRole))
	ce := costexplorer.NewFromConfig(chained)
	c.clients[p.OrgMgtAccountID] = ce
	return ce, nil
}

var _ Costs = (*ChainCosts)(nil)
