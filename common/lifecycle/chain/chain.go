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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/assignments"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/idc"
	"github.com/isb-go/isb/common/lessee/iamrevoke"
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
	// Sessions revokes lessee sessions through the sandbox hop.
	Sessions *iamrevoke.Revoker
}

// Retries of the Organizations and Identity Center calls. Both services
// have low per-account request rates and answer a mass termination's
// burst of moves with TooManyRequestsException (ThrottlingException). The
// SDK's default gives up after three attempts, and the event then waits
// for the queue's visibility timeout (six minutes) before it is tried
// again; riding out the throttling inside the call ends the termination
// in seconds. MaxBackoff keeps one call's worst case (about 20 s) well
// inside the function's timeout. The SDK's client-side retry quota is
// off: under sustained throttling it would fail the calls at once,
// without backing off, which is what the throttling asks for.
const (
	MaxAttempts = 6
	MaxBackoff  = 5 * time.Second
)

// New returns the clients. poolParam and idcParam are the names or ARNs of
// the AccountPool and IDC stacks' shared parameters.
func New(cfg aws.Config, namespace, hubAccountID, poolParam, idcParam string) *Clients {
	api := paramstore.New(cfg)
	pool := poolparam.New(api, poolParam, 0, nil)
	patient := Patient(cfg)
	return &Clients{
		PoolParam: pool,
		Org:       orgs.NewChain(patient, namespace, hubAccountID, session, pool),
		IDC: assignments.New(idc.NewChain(patient, namespace, hubAccountID, session, names.IdcRole,
			idc.NewParams(api, idcParam, nil, "ssoInstanceArn", "userPermissionSetArn"))),
		Sessions: iamrevoke.New(patient, namespace, hubAccountID, session),
	}
}

// Patient returns cfg retrying as MaxAttempts and MaxBackoff say, with no
// client-side retry quota.
func Patient(cfg aws.Config) aws.Config {
	out := cfg.Copy()
	out.RetryMaxAttempts = 0
	out.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = MaxAttempts
			o.MaxBackoff = MaxBackoff
			o.RateLimiter = ratelimit.None
		})
	}
	return out
}

// Lifecycle is what lifecycle.NewReconciler is handed.
func (c *Clients) Lifecycle() lifecycle.Clients {
	return lifecycle.Clients{Pool: c.PoolParam, Org: c.Org, IDC: c.IDC}
}

// Manager is Lifecycle plus the revocation of lessee sessions, for the
// lifecycle manager alone: it handles every lease's end, and only its role
// is granted the sandbox hop.
func (c *Clients) Manager() lifecycle.Clients {
	out := c.Lifecycle()
	out.Sessions = c.Sessions
	return out
}

// Pool returns the pool configuration (drift.Org).
func (c *Clients) Pool(ctx context.Context) (config.AccountPoolParam, error) {
	return c.PoolParam.Get(ctx)
}

// Accounts lists the accounts of an OU (drift.Org).
func (c *Clients) Accounts(ctx context.Context, parentID string) ([]account.Member, error) {
	return c.Org.Accounts(ctx, parentID)
}
