package lessee

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/routes"
)

type leases map[lease.Key]lease.Lease

func (m leases) Get(_ context.Context, k lease.Key) (lease.Lease, error) {
	l, ok := m[k]
	if !ok {
		return lease.Lease{}, &fault.NotFoundError{Entity: "lease", Key: k.String()}
	}
	return l, nil
}

type assumer struct{ got []Session }

func (a *assumer) Assume(_ context.Context, _ string, s Session) (Credentials, error) {
	a.got = append(a.got, s)
	return Credentials{Version: 1, AccessKeyID: "AKIA"}, nil
}

func TestIssue(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	owner := auth.Caller{Email: "ci@example.com", Roles: []routes.Role{routes.User}}
	key := lease.Key{UserEmail: "ci@example.com", UUID: "u1"}
	for _, tc := range []struct {
		name     string
		caller   auth.Caller
		l        lease.Lease
		want     error
		duration time.Duration
	}{
		{"the owner of an Active lease without expiry gets an hour", owner,
			lease.Lease{Status: lease.Active, AccountID: "123456789012"}, nil, time.Hour},
		{"a session never outlives the lease", owner,
			lease.Lease{Status: lease.Active, AccountID: "123456789012", ExpirationDate: at(20 * time.Minute)}, nil,
			20 * time.Minute},
		{"a lease with less than fifteen minutes left gets none", owner,
			lease.Lease{Status: lease.Active, AccountID: "123456789012", ExpirationDate: at(14 * time.Minute)},
			fault.Conflict, 0},
		{"a frozen lease gets none", owner, lease.Lease{Status: lease.Frozen, AccountID: "123456789012"},
			fault.Conflict, 0},
		{"another user is refused", auth.Caller{Email: "other@example.com", Roles: []routes.Role{routes.User}},
			lease.Lease{Status: lease.Active, AccountID: "123456789012"}, fault.Forbidden, 0},
		{"an admin who is not the owner is refused too", auth.Caller{Email: "admin@example.com",
			Roles: []routes.Role{routes.Admin}}, lease.Lease{Status: lease.Active, AccountID: "123456789012"}, fault.Forbidden, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.l
			l.Key, l.UUID, l.UserEmail = key, key.UUID, key.UserEmail
			a := &assumer{}
			_, err := New(leases{key: l}, a, func() time.Time { return now }).Issue(t.Context(), tc.caller, key)
			if tc.want != nil {
				if !errors.Is(err, tc.want) || len(a.got) != 0 {
					t.Fatalf("err = %v, sessions %v; want %v and no session", err, a.got, tc.want)
				}
				return
			}
			if err != nil || len(a.got) != 1 {
				t.Fatalf("err = %v, sessions %v", err, a.got)
			}
			s := a.got[0]
			if s.Duration != tc.duration || s.Name != "lease-u1" || s.SourceIdentity != "ci@example.com" {
				t.Errorf("session %+v, want %s as lease-u1 for ci@example.com", s, tc.duration)
			}
		})
	}
}

func TestSourceIdentityKeepsToWhatSTSAccepts(t *testing.T) {
	for in, want := range map[string]string{
		"a.b+c@example.com": "a.b+c@example.com",
		"jörg@example.com":  "j-rg@example.com",
		"x":                 "x-",
		"a b/c":             "a-b-c",
	} {
		if got := SourceIdentity(in); got != want {
			t.Errorf("SourceIdentity(%q) = %q, want %q", in, got, want)
		}
	}
	if got := SourceIdentity(string(make([]byte, 100))); len(got) != 64 {
		t.Errorf("a long identity is cut to 64, got %d", len(got))
	}
}
