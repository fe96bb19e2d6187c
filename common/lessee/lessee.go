// Package lessee holds the rules for the short sessions a lessee gets in
// the leased account: who may have one, for how long, and how the session
// names the lease and the lessee. The STS calls are in stsassume.
package lessee

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

// STS bounds a chained role session: at most an hour (role chaining), at
// least fifteen minutes.
const (
	MaxDuration = time.Hour
	MinDuration = 15 * time.Minute
)

// Session is what the lessee role is assumed with.
type Session struct {
	// Name is the RoleSessionName: it carries the lease's UUID, so
	// CloudTrail in the account ties every call to the lease.
	Name string
	// SourceIdentity names the lessee; it stays on the session and on
	// every session chained from it.
	SourceIdentity string
	Duration       time.Duration
}

// Credentials are a session's keys in the form the AWS CLI and SDKs read
// from a credential_process.
type Credentials struct {
	Version         int       `json:"Version"`
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	SessionToken    string    `json:"SessionToken"`
	Expiration      time.Time `json:"Expiration"`
}

// Leases reads a lease.
type Leases interface {
	Get(ctx context.Context, k lease.Key) (lease.Lease, error)
}

// Assumer assumes the lessee role in account.
type Assumer interface {
	Assume(ctx context.Context, account string, s Session) (Credentials, error)
}

// Service issues sessions.
type Service struct {
	leases  Leases
	assumer Assumer
	now     func() time.Time
}

// New returns the service.
func New(leases Leases, assumer Assumer, now func() time.Time) *Service {
	return &Service{leases: leases, assumer: assumer, now: now}
}

// Issue returns a session in the account of the caller's own Active
// lease. Only the owner gets one: a manager may see and end anyone's
// lease, but acting inside it as its lessee is not managing it. The
// session ends no later than the lease does; a lease with less than STS's
// fifteen-minute minimum left gets none (409), since the shortest session
// would outlive it. The keys are returned once and never stored or logged.
func (s *Service) Issue(ctx context.Context, caller auth.Caller, k lease.Key) (Credentials, error) {
	if caller.Email == "" || caller.Email != k.UserEmail {
		return Credentials{}, &fault.ForbiddenError{Reason: "only the lease's owner may get credentials into its account"}
	}
	l, err := s.leases.Get(ctx, k)
	if err != nil {
		return Credentials{}, err
	}
	if l.Status != lease.Active || l.AccountID == "" {
		return Credentials{}, &fault.ConflictError{Entity: "lease", Key: k.String(),
			Reason: fmt.Sprintf("credentials are issued only for an Active lease; this one is %s", l.Status)}
	}
	d, err := Duration(s.now(), l.ExpirationDate)
	if err != nil {
		return Credentials{}, &fault.ConflictError{Entity: "lease", Key: k.String(), Reason: err.Error()}
	}
	c, err := s.assumer.Assume(ctx, l.AccountID, Session{Name: SessionName(l.UUID), SourceIdentity: SourceIdentity(
		l.UserEmail), Duration: d})
	if err != nil {
		return Credentials{}, fmt.Errorf("lease %s: session in account %s: %w", l.UUID, l.AccountID, err)
	}
	slog.InfoContext(ctx, "lessee session issued", "leaseId", l.UUID, "accountId", l.AccountID,
		"expiration", c.Expiration)
	return c, nil
}

// Duration is how long a session issued at now may last: the role-chaining
// hour, cut to the lease's expiry, in whole seconds. It fails when less
// than MinDuration is left.
func Duration(now time.Time, expiry *time.Time) (time.Duration, error) {
	d := MaxDuration
	if expiry != nil {
		d = min(d, expiry.Sub(now).Truncate(time.Second))
	}
	if d < MinDuration {
		return 0, fmt.Errorf("the lease expires in %s, less than the %s an STS session lasts at least",
			max(d, 0), MinDuration)
	}
	return d, nil
}

// SessionName is the RoleSessionName of a lease's sessions.
func SessionName(leaseUUID string) string { return clean("lease-"+leaseUUID, 64) }

// SourceIdentity is the lessee as STS accepts it: 2 to 64 characters of
// letters, digits and _+=,.@-; anything else becomes "-".
func SourceIdentity(email string) string {
	s := clean(email, 64)
	for len(s) < 2 {
		s += "-"
	}
	return s
}

func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_+=,.@-", r):
			return r
		}
		return '-'
	}, s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}
