package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/paramstore"
)

// DirectoryTTL is how long group members and the IDC parameter are reused.
const DirectoryTTL = 5 * time.Minute

// IdentityStore is the part of the Identity Store API the directory uses.
type IdentityStore interface {
	ListGroupMemberships(ctx context.Context, in *identitystore.ListGroupMembershipsInput, optFns ...func(*identitystore.Options)) (*identitystore.ListGroupMembershipsOutput, error)
	DescribeUser(ctx context.Context, in *identitystore.DescribeUserInput, optFns ...func(*identitystore.Options)) (*identitystore.DescribeUserOutput, error)
}

// ParameterReader reads a Parameter Store parameter (paramstore.Reader).
type ParameterReader interface {
	Parameter(ctx context.Context, name string) (string, error)
}

// IdentityCenter gives the IDC configuration and an Identity Store client
// in the IDC account.
type IdentityCenter interface {
	Idc(ctx context.Context) (config.IdcParam, error)
	IdentityStore(ctx context.Context, p config.IdcParam) (IdentityStore, error)
}

// ChainIdentityCenter reads the IDC stack's shared parameter (cached for
// DirectoryTTL) and reaches the Identity Store through the hub's read-only
// IDC hop, then names.IdcReadOnlyRole in the IDC account: the notifier
// only reads groups and users, so it cannot change anyone's access. It links only
// SSM, STS and the Identity Store. Nothing touches the network before the
// first call.
type ChainIdentityCenter struct {
	cfg       aws.Config
	namespace string
	hub       string
	ssm       ParameterReader
	param     string
	now       func() time.Time

	mu      sync.Mutex
	idc     config.IdcParam
	idcRead time.Time
	clients map[string]IdentityStore
}

// NewChainIdentityCenter returns the IDC access of a namespace. param is
// the name or ARN of the IDC stack's shared parameter.
func NewChainIdentityCenter(cfg aws.Config, namespace, hubAccountID, param string) *ChainIdentityCenter {
	return &ChainIdentityCenter{cfg: cfg, namespace: namespace, hub: hubAccountID, ssm: paramstore.New(cfg),
		param: param, now: time.Now, clients: map[string]IdentityStore{}}
}

// Idc returns the IDC configuration. The email notifier needs the account,
// the identity store and the admin and manager groups.
func (c *ChainIdentityCenter) Idc(ctx context.Context) (config.IdcParam, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.idcRead.IsZero() && c.now().Sub(c.idcRead) < DirectoryTTL {
		return c.idc, nil
	}
	value, err := c.ssm.Parameter(ctx, c.param)
	if err != nil {
		return config.IdcParam{}, fmt.Errorf("read IDC parameter %s: %w", c.param, err)
	}
	var p config.IdcParam
	if err := json.Unmarshal([]byte(value), &p); err != nil {
		return config.IdcParam{}, fmt.Errorf("IDC parameter %s is not the expected JSON: %w", c.param, err)
	}
	if p.IdcAccountID == "" || p.IdentityStoreID == "" || p.AdminGroupID == "" || p.ManagerGroupID == "" {
		return config.IdcParam{}, fmt.Errorf("IDC parameter %s lacks idcAccountId, identityStoreId, adminGroupId or managerGroupId", c.param)
	}
	c.idc, c.idcRead = p, c.now()
	return p, nil
}

// IdentityStore returns the Identity Store client of the IDC account.
func (c *ChainIdentityCenter) IdentityStore(_ context.Context, p config.IdcParam) (IdentityStore, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ids, ok := c.clients[p.IdcAccountID]; ok {
		return ids, nil
	}
	chained := awscfg.Chain(c.cfg, names.Physical(c.namespace, "email-notifier"), c.roles(p.IdcAccountID)...)
	ids := identitystore.NewFromConfig(chained)
	c.clients[p.IdcAccountID] = ids
	return ids, nil
}

// roles is the chain to the read-only IDC role.
func (c *ChainIdentityCenter) roles(idcAccountID string) []string {
	return awscfg.HopChain("aws", c.hub, c.namespace, idcAccountID, names.IdcReadOnlyRole)
}

// Directory resolves the admin and manager groups of Identity Center to
// email addresses, caching each group for DirectoryTTL.
type Directory struct {
	idc IdentityCenter
	now func() time.Time

	mu     sync.Mutex
	groups map[string]cachedGroup
}

type cachedGroup struct {
	emails []string
	at     time.Time
}

// NewDirectory returns a directory over idc; now of nil means time.Now.
func NewDirectory(idc IdentityCenter, now func() time.Time) *Directory {
	if now == nil {
		now = time.Now
	}
	return &Directory{idc: idc, now: now, groups: map[string]cachedGroup{}}
}

// Admins returns the emails of the admin group's members.
func (d *Directory) Admins(ctx context.Context) ([]string, error) {
	return d.group(ctx, "admin", func(p config.IdcParam) string { return p.AdminGroupID })
}

// Managers returns the emails of the manager group's members.
func (d *Directory) Managers(ctx context.Context) ([]string, error) {
	return d.group(ctx, "manager", func(p config.IdcParam) string { return p.ManagerGroupID })
}

func (d *Directory) group(ctx context.Context, role string, id func(config.IdcParam) string) ([]string, error) {
	p, err := d.idc.Idc(ctx)
	if err != nil {
		return nil, err
	}
	groupID := id(p)
	key := p.IdentityStoreID + "/" + groupID
	d.mu.Lock()
	c, ok := d.groups[key]
	d.mu.Unlock()
	if ok && d.now().Sub(c.at) < DirectoryTTL {
		return c.emails, nil
	}
	ids, err := d.idc.IdentityStore(ctx, p)
	if err != nil {
		return nil, err
	}
	emails, err := members(ctx, ids, p.IdentityStoreID, groupID)
	if err != nil {
		return nil, fmt.Errorf("list the %s group %s: %w", role, groupID, err)
	}
	d.mu.Lock()
	d.groups[key] = cachedGroup{emails: emails, at: d.now()}
	d.mu.Unlock()
	return emails, nil
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
			u, err := ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(userID)})
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

var _ IdentityCenter = (*ChainIdentityCenter)(nil)
