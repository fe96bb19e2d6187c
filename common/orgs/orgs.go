// Package orgs is the Organizations adapter: the calls the pool's rules
// make in the management account (where an account sits, moving it,
// describing it, listing an OU), in the rule packages' terms. SDK errors
// become fault kinds: an unknown account is fault.NotFound, a page token
// Organizations refuses is fault.Invalid.
package orgs

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
)

// API is the Organizations calls the adapter makes.
type API interface {
	DescribeAccount(
		ctx context.Context,
		in *organizations.DescribeAccountInput,
		opts ...func(*organizations.Options),
	) (*organizations.DescribeAccountOutput, error)
	ListParents(
		ctx context.Context,
		in *organizations.ListParentsInput,
		opts ...func(*organizations.Options),
	) (*organizations.ListParentsOutput, error)
	ListAccountsForParent(
		ctx context.Context,
		in *organizations.ListAccountsForParentInput,
		opts ...func(*organizations.Options),
	) (*organizations.ListAccountsForParentOutput, error)
	MoveAccount(
		ctx context.Context,
		in *organizations.MoveAccountInput,
		opts ...func(*organizations.Options),
	) (*organizations.MoveAccountOutput, error)
}

// Org is one management account's Organizations.
type Org struct{ api API }

// New returns the adapter over a client of the management account.
func New(api API) *Org { return &Org{api: api} }

// Parent returns the id of the OU (or root) the account sits in.
func (o *Org) Parent(ctx context.Context, accountID string) (string, error) {
	out, err := o.api.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(accountID)})
	if err != nil {
		return "", fmt.Errorf("find the OU of account %s: %w", accountID, err)
	}
	if len(out.Parents) == 0 {
		return "", fmt.Errorf("find the OU of account %s: Organizations lists no parent", accountID)
	}
	return aws.ToString(out.Parents[0].Id), nil
}

// Move moves the account from one parent to another.
func (o *Org) Move(ctx context.Context, accountID, from, to string) error {
	if _, err := o.api.MoveAccount(ctx, &organizations.MoveAccountInput{
		AccountId: aws.String(accountID), SourceParentId: aws.String(from), DestinationParentId: aws.String(to),
	}); err != nil {
		return fmt.Errorf("move account %s from %s to %s: %w", accountID, from, to, err)
	}
	return nil
}

// Describe returns the account's email and name; an account the
// organization does not hold is fault.NotFound.
func (o *Org) Describe(ctx context.Context, accountID string) (account.Member, error) {
	out, err := o.api.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(accountID)})
	var nf *orgtypes.AccountNotFoundException
	if errors.As(err, &nf) {
		return account.Member{}, &fault.NotFoundError{Entity: "account in the organization", Key: accountID}
	}
	if err != nil {
		return account.Member{}, fmt.Errorf("describe account %s: %w", accountID, err)
	}
	return member(out.Account), nil
}

// AccountsPage lists up to size accounts of an OU from Organizations' page
// token (empty: the first page) and returns the next token ("" at the
// end). A token Organizations refuses is fault.Invalid.
func (o *Org) AccountsPage(ctx context.Context, parentID string, size int32, token string) (
	[]account.Member, string, error,
) {
	in := &organizations.ListAccountsForParentInput{ParentId: aws.String(parentID), MaxResults: aws.Int32(size)}
	if token != "" {
		in.NextToken = aws.String(token)
	}
	out, err := o.api.ListAccountsForParent(ctx, in)
	var bad *orgtypes.InvalidInputException
	if errors.As(err, &bad) {
		return nil, "", fmt.Errorf("list the accounts of %s: %w: %w", parentID, fault.Invalid, err)
	}
	if err != nil {
		return nil, "", fmt.Errorf("list the accounts of %s: %w", parentID, err)
	}
	list := make([]account.Member, 0, len(out.Accounts))
	for _, a := range out.Accounts {
		list = append(list, member(&a))
	}
	return list, aws.ToString(out.NextToken), nil
}

// Accounts lists every account of an OU, following every page.
func (o *Org) Accounts(ctx context.Context, parentID string) ([]account.Member, error) {
	var all []account.Member
	pages := organizations.NewListAccountsForParentPaginator(o.api,
		&organizations.ListAccountsForParentInput{ParentId: aws.String(parentID)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the accounts of %s: %w", parentID, err)
		}
		for _, a := range out.Accounts {
			all = append(all, member(&a))
		}
	}
	return all, nil
}

func member(a *orgtypes.Account) account.Member {
	if a == nil {
		return account.Member{}
	}
	return account.Member{ID: aws.ToString(a.Id), Email: aws.ToString(a.Email), Name: aws.ToString(a.Name)}
}

// RoleChain is the chain to the management account: the hub's OrgMgt hop,
// then the OrgMgt role.
func RoleChain(namespace, hubAccountID, orgMgtAccountID string) []string {
	return awscfg.HopChain("aws", hubAccountID, namespace, orgMgtAccountID, names.OrgMgtRole)
}

// PoolParam gives the pool's shared configuration, which names the
// management account. *poolparam.Source satisfies it.
type PoolParam interface {
	Get(ctx context.Context) (config.AccountPoolParam, error)
}

// Chain is the Organizations of the management account the pool
// configuration names, reached through RoleChain: one client per
// management account, built on first use (nothing touches the network
// before the first call).
type Chain struct {
	pool    PoolParam
	clients *rolechain.Hops[*Org]
}

// NewChain returns the chained adapter. session names the caller in
// CloudTrail (names.Physical(namespace, session)).
func NewChain(cfg aws.Config, namespace, hubAccountID, session string, pool PoolParam) *Chain {
	return &Chain{pool: pool, clients: rolechain.NewHops(cfg, namespace, hubAccountID, session, names.OrgMgtRole,
		func(chained aws.Config) *Org { return New(organizations.NewFromConfig(chained)) })}
}

// Roles is the chain the adapter takes to the management account
// orgMgtAccountID.
func (c *Chain) Roles(orgMgtAccountID string) []string {
	return c.clients.Roles(orgMgtAccountID)
}

// org returns the Organizations of the current management account.
func (c *Chain) org(ctx context.Context) (*Org, error) {
	p, err := c.pool.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the management account: %w", err)
	}
	return c.clients.Client(p.OrgMgtAccountID), nil
}

// Parent is Org.Parent in the current management account.
func (c *Chain) Parent(ctx context.Context, accountID string) (string, error) {
	o, err := c.org(ctx)
	if err != nil {
		return "", err
	}
	return o.Parent(ctx, accountID)
}

// Move is Org.Move in the current management account.
func (c *Chain) Move(ctx context.Context, accountID, from, to string) error {
	o, err := c.org(ctx)
	if err != nil {
		return err
	}
	return o.Move(ctx, accountID, from, to)
}

// Describe is Org.Describe in the current management account.
func (c *Chain) Describe(ctx context.Context, accountID string) (account.Member, error) {
	o, err := c.org(ctx)
	if err != nil {
		return account.Member{}, err
	}
	return o.Describe(ctx, accountID)
}

// AccountsPage is Org.AccountsPage in the current management account.
func (c *Chain) AccountsPage(ctx context.Context, parentID string, size int32, token string) (
	[]account.Member, string, error,
) {
	o, err := c.org(ctx)
	if err != nil {
		return nil, "", err
	}
	return o.AccountsPage(ctx, parentID, size, token)
}

// Accounts is Org.Accounts in the current management account.
func (c *Chain) Accounts(ctx context.Context, parentID string) ([]account.Member, error) {
	o, err := c.org(ctx)
	if err != nil {
		return nil, err
	}
	return o.Accounts(ctx, parentID)
}
