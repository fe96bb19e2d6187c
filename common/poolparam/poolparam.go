// Package poolparam reads the account pool's shared configuration: the
// JSON document (config.AccountPoolParam) the AccountPool stack writes to
// an SSM parameter in the management account and shares with the hub. It
// holds the pool OU ids, the managed regions and the management account id.
package poolparam

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/isb-go/isb/common/config"
)

// DefaultTTL is how long the document is reused (upstream: 300 s).
const DefaultTTL = 5 * time.Minute

// Parameters reads one Parameter Store parameter (paramstore.Reader).
type Parameters interface {
	Parameter(ctx context.Context, name string) (string, error)
}

// Source reads the parameter lazily and caches it for a bounded time.
type Source struct {
	api  Parameters
	name string
	ttl  time.Duration
	now  func() time.Time

	mu     sync.Mutex
	value  config.AccountPoolParam
	readAt time.Time
	ok     bool
}

// New returns a source for the parameter name or ARN. ttl of 0 means
// DefaultTTL; now of nil means time.Now.
func New(api Parameters, name string, ttl time.Duration, now func() time.Time) *Source {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Source{api: api, name: name, ttl: ttl, now: now}
}

// Get returns the pool configuration.
func (s *Source) Get(ctx context.Context) (config.AccountPoolParam, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ok && s.now().Sub(s.readAt) < s.ttl {
		return s.value, nil
	}
	value, err := s.api.Parameter(ctx, s.name)
	if err != nil {
		return config.AccountPoolParam{}, fmt.Errorf("read pool parameter %s: %w", s.name, err)
	}
	var p config.AccountPoolParam
	if err := json.Unmarshal([]byte(value), &p); err != nil {
		return config.AccountPoolParam{}, fmt.Errorf("pool parameter %s is not the expected JSON: %w", s.name, err)
	}
	if p.EntryOuID == "" || p.OrgMgtAccountID == "" {
		return config.AccountPoolParam{}, fmt.Errorf("pool parameter %s lacks entryOuId or orgMgtAccountId", s.name)
	}
	s.value, s.readAt, s.ok = p, s.now(), true
	return p, nil
}
