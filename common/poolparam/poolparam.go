// Package poolparam reads the account pool's shared configuration: the
// JSON document (config.AccountPoolParam) the AccountPool stack writes to
// an SSM parameter in the management account and shares with the hub. It
// holds the pool OU ids, the managed regions and the management account id.
package poolparam

import (
	"context"
	"fmt"
	"time"

	"github.com/isb-go/isb/common/cached"
	"github.com/isb-go/isb/common/config"
)

// DefaultTTL is how long the document is reused (upstream: 300 s).
const DefaultTTL = 5 * time.Minute

// Parameters reads one Parameter Store parameter (paramstore.Reader).
type Parameters = cached.Parameters

// Source reads the parameter lazily and caches it for a bounded time.
type Source struct {
	api  Parameters
	name string
	ttl  time.Duration
	now  func() time.Time

	cache cached.Value[config.AccountPoolParam]
}

// New returns a source for the parameter name or ARN. ttl of 0 means
// DefaultTTL; now of nil means time.Now.
func New(api Parameters, name string, ttl time.Duration, now func() time.Time) *Source {
	ttl, now = cached.Defaults(ttl, DefaultTTL, now)
	return &Source{api: api, name: name, ttl: ttl, now: now}
}

// Get returns the pool configuration.
func (s *Source) Get(ctx context.Context) (config.AccountPoolParam, error) {
	return s.cache.Get(ctx, s.ttl, s.now, s.read)
}

func (s *Source) read(ctx context.Context) (config.AccountPoolParam, error) {
	p, err := cached.JSONParameter[config.AccountPoolParam](ctx, s.api, "pool", s.name)
	if err != nil {
		return p, err
	}
	if p.EntryOuID == "" || p.OrgMgtAccountID == "" {
		return config.AccountPoolParam{}, fmt.Errorf("pool parameter %s lacks entryOuId or orgMgtAccountId", s.name)
	}
	return p, nil
}
