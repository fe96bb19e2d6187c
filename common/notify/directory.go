package notify

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/isb-go/isb/common/config"
)

// DirectoryTTL is how long group members and the IDC parameter are reused.
const DirectoryTTL = 5 * time.Minute

// IdentityCenter gives the IDC configuration and the emails of a group's
// members (idc.Chain through the read-only IDC hop: the notifier only
// reads groups and users, so it cannot change anyone's access).
type IdentityCenter interface {
	Param(ctx context.Context) (config.IdcParam, error)
	GroupEmails(ctx context.Context, groupID string) ([]string, error)
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
	p, err := d.idc.Param(ctx)
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
	emails, err := d.idc.GroupEmails(ctx, groupID)
	if err != nil {
		return nil, fmt.Errorf("list the %s group %s: %w", role, groupID, err)
	}
	d.mu.Lock()
	d.groups[key] = cachedGroup{emails: emails, at: d.now()}
	d.mu.Unlock()
	return emails, nil
}
