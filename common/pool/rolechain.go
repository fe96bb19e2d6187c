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

// OrgThroughChain returns an OrgFactory that reaches the management account
// through the hub's intermediate role and the OrgMgt role, building the
// client once per management account.
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
			awscfg.RoleARN(hubAccountID, namespace, names.IntermediateRole),
			awscfg.RoleARN(p.OrgMgtAccountID, namespace, names.OrgMgtRole))
		c := organizations.NewFromConfig(chained)
		clients[p.OrgMgtAccountID] = c
		return c, nil
	}
}
