// Package idc is the IAM Identity Center directory adapter: the IDC
// configuration parameter, finding a user by email and the emails of a
// group's members, in the rule packages' terms (account assignments are
// package assignments, so the directory's readers do not link SSO Admin). The IDC account is reached through
// the hub's hop for one target role: names.IdcRole to change assignments,
// names.IdcReadOnlyRole to read the directory.
package idc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/cached"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/paramstore"
)

// ParamTTL is how long the IDC parameter is reused.
const ParamTTL = 5 * time.Minute

// Parameters reads one Parameter Store parameter (paramstore.Reader).
type Parameters = cached.Parameters

// Params reads the IDC stack's shared parameter (config.IdcParam) lazily
// and caches it for ParamTTL.
type Params struct {
	api     Parameters
	name    string
	require []string
	now     func() time.Time

	cache cached.Value[config.IdcParam]
}

// NewParams returns the source of the parameter name or ARN. Besides the
// IDC account and identity store, the fields the caller needs are checked
// by their JSON names: "ssoInstanceArn", "userPermissionSetArn",
// "adminGroupId", "managerGroupId". now of nil means time.Now.
func NewParams(api Parameters, name string, now func() time.Time, require ...string) *Params {
	if now == nil {
		now = time.Now
	}
	return &Params{api: api, name: name, require: require, now: now}
}

// Get returns the IDC configuration.
func (s *Params) Get(ctx context.Context) (config.IdcParam, error) {
	return s.cache.Get(ctx, ParamTTL, s.now, s.read)
}

func (s *Params) read(ctx context.Context) (config.IdcParam, error) {
	p, err := cached.JSONParameter[config.IdcParam](ctx, s.api, "IDC", s.name)
	if err != nil {
		return p, err
	}
	have := map[string]string{
		"idcAccountId": p.IdcAccountID, "identityStoreId": p.IdentityStoreID,
		"ssoInstanceArn": p.SsoInstanceArn, "userPermissionSetArn": p.UserPermissionSetArn,
		"adminGroupId": p.AdminGroupID, "managerGroupId": p.ManagerGroupID,
	}
	var missing []string
	for _, f := range append([]string{"idcAccountId", "identityStoreId"}, s.require...) {
		if have[f] == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return config.IdcParam{}, fmt.Errorf("IDC parameter %s lacks %s", s.name, strings.Join(missing, ", "))
	}
	return p, nil
}

// IdentityStore is the Identity Store calls made.
type IdentityStore interface {
	GetUserId(
		ctx context.Context,
		in *identitystore.GetUserIdInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.GetUserIdOutput, error)
	ListGroupMemberships(
		ctx context.Context,
		in *identitystore.ListGroupMembershipsInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.ListGroupMembershipsOutput, error)
	DescribeUser(
		ctx context.Context,
		in *identitystore.DescribeUserInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.DescribeUserOutput, error)
}

// ParamSource gives the IDC configuration (*Params).
type ParamSource interface {
	Get(ctx context.Context) (config.IdcParam, error)
}

// Chain is the Identity Store in the IDC account the parameter names,
// reached through the hub's hop to role; one client per IDC account, built
// on first use.
type Chain struct {
	params  ParamSource
	clients *rolechain.Hops[clients]
}

type clients struct {
	cfg aws.Config
	ids IdentityStore
}

// NewChain returns the adapter. role is names.IdcRole (assignments, see
// package assignments) or
// names.IdcReadOnlyRole (the directory); session names the caller in
// CloudTrail (names.Physical(namespace, session)).
func NewChain(cfg aws.Config, namespace, hubAccountID, session, role string, params ParamSource) *Chain {
	return &Chain{params: params, clients: rolechain.NewHops(cfg, namespace, hubAccountID, session, role,
		func(chained aws.Config) clients {
			return clients{cfg: chained, ids: identitystore.NewFromConfig(chained)}
		})}
}

// RoleChain is the hub's hop to role, then role in the IDC account.
func RoleChain(namespace, hubAccountID, idcAccountID, role string) []string {
	return awscfg.HopChain("aws", hubAccountID, namespace, idcAccountID, role)
}

// Roles is the chain the adapter takes to the IDC account idcAccountID.
func (c *Chain) Roles(idcAccountID string) []string {
	return c.clients.Roles(idcAccountID)
}

// Param returns the IDC configuration.
func (c *Chain) Param(ctx context.Context) (config.IdcParam, error) { return c.params.Get(ctx) }

func (c *Chain) reach(ctx context.Context) (config.IdcParam, clients, error) {
	p, err := c.params.Get(ctx)
	if err != nil {
		return p, clients{}, err
	}
	return p, c.clients.Client(p.IdcAccountID), nil
}

// Reach returns the IDC configuration and the AWS configuration that
// reaches the IDC account through the chain (for the other Identity Center
// clients, built by their own packages).
func (c *Chain) Reach(ctx context.Context) (config.IdcParam, aws.Config, error) {
	p, cl, err := c.reach(ctx)
	return p, cl.cfg, err
}

// UserID finds the Identity Center user with the email ("" when none).
func (c *Chain) UserID(ctx context.Context, email string) (string, error) {
	p, cl, err := c.reach(ctx)
	if err != nil {
		return "", err
	}
	return FindUser(ctx, cl.ids, p.IdentityStoreID, email)
}

// UserFinder is the Identity Store call that finds a user by email.
type UserFinder interface {
	GetUserId(
		ctx context.Context,
		in *identitystore.GetUserIdInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.GetUserIdOutput, error)
}

// FindUser returns the id of the user of identity store storeID whose
// email is email, or "" when there is none.
func FindUser(ctx context.Context, api UserFinder, storeID, email string) (string, error) {
	out, err := api.GetUserId(ctx, &identitystore.GetUserIdInput{
		IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
			AttributePath: aws.String("emails.value"), AttributeValue: document.NewLazyDocument(email),
		}},
	})
	var nf *istypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the Identity Center user %s: %w", email, err)
	}
	return aws.ToString(out.UserId), nil
}

// GroupEmails lists the email of each user in the group (the primary
// one, else the first), following every page.
func (c *Chain) GroupEmails(ctx context.Context, groupID string) ([]string, error) {
	p, cl, err := c.reach(ctx)
	if err != nil {
		return nil, err
	}
	return members(ctx, cl.ids, p.IdentityStoreID, groupID)
}

// members lists a group's members and returns each user's primary email
// (or first email). Members that are groups or users without email are
// skipped.
func members(ctx context.Context, ids IdentityStore, storeID, groupID string) ([]string, error) {
	var emails []string
	pages := identitystore.NewListGroupMembershipsPaginator(ids, &identitystore.ListGroupMembershipsInput{
		IdentityStoreId: aws.String(storeID), GroupId: aws.String(groupID)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range page.GroupMemberships {
			userID := memberUserID(m.MemberId)
			if userID == "" {
				continue
			}
			u, err := ids.DescribeUser(
				ctx,
				&identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(userID)},
			)
			if err != nil {
				return nil, fmt.Errorf("describe user %s: %w", userID, err)
			}
			if e := primaryEmail(u); e != "" {
				emails = append(emails, e)
			}
		}
	}
	return emails, nil
}

func memberUserID(m istypes.MemberId) string {
	if u, ok := m.(*istypes.MemberIdMemberUserId); ok {
		return u.Value
	}
	return ""
}

func primaryEmail(u *identitystore.DescribeUserOutput) string {
	first := ""
	for _, e := range u.Emails {
		v := strings.TrimSpace(aws.ToString(e.Value))
		if v == "" {
			continue
		}
		if e.Primary {
			return v
		}
		if first == "" {
			first = v
		}
	}
	return first
}

// ReadOnly is the directory side of Identity Center (groups and users)
// through the hub's read-only IDC hop, then names.IdcReadOnlyRole: it
// cannot change anyone's access. param is the name or ARN of the IDC
// stack's shared parameter, which must name the admin and manager groups.
func ReadOnly(cfg aws.Config, namespace, hubAccountID, session, param string) *Chain {
	return NewChain(cfg, namespace, hubAccountID, session, names.IdcReadOnlyRole,
		NewParams(paramstore.New(cfg), param, nil, "adminGroupId", "managerGroupId"))
}
