package signin

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/crewjam/saml"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
)

// metadataTTL bounds how long a fetched metadata document is used; a new
// certificate pasted by an administrator is picked up within it.
const metadataTTL = 5 * time.Minute

// SecretMetadata reads the identity provider metadata from a secret,
// lazily, and caches it for metadataTTL.
type SecretMetadata struct {
	client   auth.SecretsClient
	secretID string
	now      func() time.Time

	mu      sync.Mutex
	md      *saml.EntityDescriptor
	fetched time.Time
}

// NewSecretMetadata returns the source; now may be nil.
func NewSecretMetadata(client auth.SecretsClient, secretID string, now func() time.Time) *SecretMetadata {
	if now == nil {
		now = time.Now
	}
	return &SecretMetadata{client: client, secretID: secretID, now: now}
}

// Metadata returns the parsed metadata.
func (s *SecretMetadata) Metadata(ctx context.Context) (*saml.EntityDescriptor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.md != nil && s.now().Sub(s.fetched) < metadataTTL {
		return s.md, nil
	}
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.secretID)})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.secretID, err)
	}
	md, err := ParseMetadata([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", s.secretID, err)
	}
	s.md, s.fetched = md, s.now()
	return md, nil
}

// LazyCallers builds the Identity Store lookup on first use from the IDC
// stack's parameter (identity store and group ids), which it reads once.
type LazyCallers struct {
	// Param returns the IdcParam document.
	Param func(ctx context.Context) (config.IdcParam, error)
	// Store returns the Identity Store client for the IDC account.
	Store func(p config.IdcParam) IdentityStore

	mu    sync.Mutex
	roles *IdcRoles
}

// Caller looks the user up.
func (l *LazyCallers) Caller(ctx context.Context, email string) (auth.Caller, error) {
	l.mu.Lock()
	if l.roles == nil {
		p, err := l.Param(ctx)
		if err != nil {
			l.mu.Unlock()
			return auth.Caller{}, err
		}
		l.roles = NewIdcRoles(l.Store(p), p.IdentityStoreID, GroupRoles(p))
	}
	r := l.roles
	l.mu.Unlock()
	return r.Caller(ctx, email)
}

// StoreRoleChain is the chain the sign-in function takes to the Identity
// Store: the hub's read-only IDC hop, then the read-only IDC role. The
// sign-in handler faces the internet, so it must not be able to change
// anyone's access.
func StoreRoleChain(namespace, hubAccountID, idcAccountID string) []string {
	return awscfg.HopChain("aws", hubAccountID, namespace, idcAccountID, names.IdcReadOnlyRole)
}

// GroupRoles maps the IDC stack's group ids to roles.
func GroupRoles(p config.IdcParam) map[string]routes.Role {
	return map[string]routes.Role{
		p.AdminGroupID:   routes.Admin,
		p.ManagerGroupID: routes.Manager,
		p.UserGroupID:    routes.User,
	}
}

// ParseIdcParam decodes the IDC stack's parameter value.
func ParseIdcParam(value string) (config.IdcParam, error) {
	var p config.IdcParam
	if err := json.Unmarshal([]byte(value), &p); err != nil {
		return p, fmt.Errorf("IDC configuration parameter: %w", err)
	}
	if p.IdentityStoreID == "" || p.AdminGroupID == "" || p.ManagerGroupID == "" || p.UserGroupID == "" ||
		p.IdcAccountID == "" {
		return p, fmt.Errorf("IDC configuration parameter lacks the identity store, account or group ids")
	}
	return p, nil
}
