package pool

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
)

// OrgRoleChain is the chain the accounts API takes to the management
// account: the hub's OrgMgt hop, then the OrgMgt role.
func OrgRoleChain(namespace, hubAccountID, orgMgtAccountID string) []string {
	return awscfg.HopChain("aws", hubAccountID, namespace, orgMgtAccountID, names.OrgMgtRole)
}

// OrgThroughChain returns an OrgFactory that reaches the management account
// through OrgRoleChain, building the client once per management account.
func OrgThroughChain(cfg aws.Config, namespace, hubAccountID string) OrgFactory {
	var mu sync.Mutex
	clients := map[string]Organizations{}
	return func(_ context.Context, p config.AccountPoolParam) (Organizations, error) {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := clients[p.OrgMgtAccountID]; ok {
			return c, nil
		}
		chained := awscfg.Chain(cfg, names.Physical(namespace, "api-accounts"),
			OrgRoleChain(namespace, hubAccountID, p.OrgMgtAccountID)...)
		c := organizations.NewFromConfig(chained)
		clients[p.OrgMgtAccountID] = c
		return c, nil
	}
}
