package costs

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/isb-go/isb/common/awscfg"
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
	cfg       aws.Config
	namespace string
	hub       string
	session   string
	pool      PoolParam

	mu      sync.Mutex
	clients map[string]API
}

// NewChain returns the source. session names the caller in CloudTrail
// (names.Physical(ns, session)).
func NewChain(cfg aws.Config, namespace, hubAccountID, session string, pool PoolParam) *Chain {
	return &Chain{
		cfg:       cfg,
		namespace: namespace,
		hub:       hubAccountID,
		session:   session,
		pool:      pool,
		clients:   map[string]API{},
	}
}

// Client returns the management account's Cost Explorer client.
func (c *Chain) Client(ctx context.Context) (API, error) {
	p, err := c.pool.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the management account: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ce, ok := c.clients[p.OrgMgtAccountID]; ok {
		return ce, nil
	}
	chained := awscfg.Chain(c.cfg, names.Physical(c.namespace, c.session), c.roles(p.OrgMgtAccountID)...)
	ce := costexplorer.NewFromConfig(chained)
	c.clients[p.OrgMgtAccountID] = ce
	return ce, nil
}

// roles is the chain to the management account's OrgMgt role.
func (c *Chain) roles(orgMgtAccountID string) []string {
	return awscfg.HopChain("aws", c.hub, c.namespace, orgMgtAccountID, names.OrgMgtRole)
}

// Fetch is Explorer.Fetch with the chain's client.
func (c *Chain) Fetch(ctx context.Context, into spend.Daily, accounts []string, start, end string) (int, error) {
	return Explorer{Clients: c}.Fetch(ctx, into, accounts, start, end)
}
