package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/isb-go/isb/common/awscfg"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/poolparam"
)

// ChainClients builds the management-account and IDC-account clients
// through the hub's hop for each target (names.OrgMgtRole, or
// names.IdcRole, which changes account assignments), once per account, and reads the two shared parameters
// lazily (cached for poolparam.DefaultTTL). Nothing touches the network
// before the first event.
type ChainClients struct {
	cfg       aws.Config
	namespace string
	hub       string
	pool      *poolparam.Source
	params    poolparam.Parameters
	idcName   string

	mu      sync.Mutex
	orgs    map[string]*organizations.Client
	idcs    map[string]idcClients
	idc     config.IdcParam
	idcRead time.Time
}

type idcClients struct {
	ids IdentityStore
	sso SSOAdmin
}

// NewChainClients returns the clients. poolParam and idcParam are the
// names or ARNs of the AccountPool and IDC stacks' shared parameters.
func NewChainClients(cfg aws.Config, namespace, hubAccountID, poolParam, idcParam string) *ChainClients {
	api := paramstore.New(cfg)
	return &ChainClients{cfg: cfg, namespace: namespace, hub: hubAccountID,
		pool: poolparam.New(api, poolParam, 0, nil), params: api, idcName: idcParam,
		orgs: map[string]*organizations.Client{}, idcs: map[string]idcClients{}}
}

func (c *ChainClients) session() string { return names.Physical(c.namespace, "lifecycle") }

// Pool returns the pool configuration.
func (c *ChainClients) Pool(ctx context.Context) (config.AccountPoolParam, error) {
	return c.pool.Get(ctx)
}

// Idc returns the IDC configuration.
func (c *ChainClients) Idc(ctx context.Context) (config.IdcParam, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.idcRead.IsZero() && time.Since(c.idcRead) < poolparam.DefaultTTL {
		return c.idc, nil
	}
	value, err := c.params.Parameter(ctx, c.idcName)
	if err != nil {
		return config.IdcParam{}, fmt.Errorf("read IDC parameter %s: %w", c.idcName, err)
	}
	var p config.IdcParam
	if err := json.Unmarshal([]byte(value), &p); err != nil {
		return config.IdcParam{}, fmt.Errorf("IDC parameter %s is not the expected JSON: %w", c.idcName, err)
	}
	if p.IdcAccountID == "" || p.IdentityStoreID == "" || p.SsoInstanceArn == "" || p.UserPermissionSetArn == "" {
		return config.IdcParam{}, fmt.Errorf("IDC parameter %s lacks idcAccountId, identityStoreId, ssoInstanceArn or userPermissionSetArn", c.idcName)
	}
	c.idc, c.idcRead = p, time.Now()
	return p, nil
}

// Org returns the Organizations client of the pool's management account.
func (c *ChainClients) Org(_ context.Context, p config.AccountPoolParam) (Organizations, error) {
	return c.org(p), nil
}

// OrgAccounts returns the same client, for listing the accounts of an OU
// (the drift scan).
func (c *ChainClients) OrgAccounts(_ context.Context, p config.AccountPoolParam) (organizations.ListAccountsForParentAPIClient, error) {
	return c.org(p), nil
}

func (c *ChainClients) org(p config.AccountPoolParam) *organizations.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.orgs[p.OrgMgtAccountID]; ok {
		return o
	}
	chained := awscfg.Chain(c.cfg, c.session(), c.orgRoles(p)...)
	o := organizations.NewFromConfig(chained)
	c.orgs[p.OrgMgtAccountID] = o
	return o
}

// Identity returns the Identity Store and SSO Admin clients of the IDC
// account.
func (c *ChainClients) Identity(_ context.Context, p config.IdcParam) (IdentityStore, SSOAdmin, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.idcs[p.IdcAccountID]; ok {
		return i.ids, i.sso, nil
	}
	chained := awscfg.Chain(c.cfg, c.session(), c.idcRoles(p)...)
	i := idcClients{ids: identitystore.NewFromConfig(chained), sso: ssoadmin.NewFromConfig(chained)}
	c.idcs[p.IdcAccountID] = i
	return i.ids, i.sso, nil
}

// orgRoles is the chain to the management account's OrgMgt role.
func (c *ChainClients) orgRoles(p config.AccountPoolParam) []string {
	return awscfg.HopChain("aws", c.hub, c.namespace, p.OrgMgtAccountID, names.OrgMgtRole)
}

// idcRoles is the chain to the read-write IDC role: granting and revoking
// access needs account assignments.
func (c *ChainClients) idcRoles(p config.IdcParam) []string {
	return awscfg.HopChain("aws", c.hub, c.namespace, p.IdcAccountID, names.IdcRole)
}

var _ Clients = (*ChainClients)(nil)
