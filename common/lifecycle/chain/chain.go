// Package chain builds what the lifecycle reconciler and the drift scan
// are handed in a deployment: the pool and IDC parameters, Organizations
// in the management account through the hub's OrgMgt hop (names.OrgMgtRole)
// and Identity Center in the IDC account through the read-write hop
// (names.IdcRole, which changes account assignments). Nothing touches the
// network before the first event; parameters are cached for
// poolparam.DefaultTTL.
package chain

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/assignments"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/idc"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/orgs"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/poolparam"
)

// session is the lifecycle's name in CloudTrail for every hop it takes.
const session = "lifecycle"

// Clients are the adapters, reached through the hub's role chain.
type Clients struct {
	PoolParam *poolparam.Source
	Org       *orgs.Chain
	IDC       *assignments.Chain
}

// New returns the clients. poolParam and idcParam are the names or ARNs of
// the AccountPool and IDC stacks' shared parameters.
func New(cfg aws.Config, namespace, hubAccountID, poolParam, idcParam string) *Clients {
	api := paramstore.New(cfg)
	pool := poolparam.New(api, poolParam, 0, nil)
	return &Clients{
		PoolParam: pool,
		Org:       orgs.NewChain(cfg, namespace, hubAccountID, session, pool),
		IDC: assignments.New(idc.NewChain(cfg, namespace, hubAccountID, session, names.IdcRole,
			idc.NewParams(api, idcParam, nil, "ssoInstanceArn", "userPermissionSetArn"))),
	}
}

// Lifecycle is what lifecycle.NewReconciler is handed.
func (c *Clients) Lifecycle() lifecycle.Clients {
	return lifecycle.Clients{Pool: c.PoolParam, Org: c.Org, IDC: c.IDC}
}

// Pool returns the pool configuration (drift.Org).
func (c *Clients) Pool(ctx context.Context) (config.AccountPoolParam, error) {
	return c.PoolParam.Get(ctx)
}

// Accounts lists the accounts of an OU (drift.Org).
func (c *Clients) Accounts(ctx context.Context, parentID string) ([]account.Member, error) {
	return c.Org.Accounts(ctx, parentID)
}
