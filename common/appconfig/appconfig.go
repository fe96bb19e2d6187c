// Package appconfig reads the platform's runtime configuration (the global
// and reporting profiles) from AWS AppConfig, parses it with common/config
// and keeps it for a bounded time.
//
// Two fetchers exist. On AWS every function reads through the AWS AppConfig
// Lambda extension (Extension): the extension layer keeps a session with
// AppConfigData, polls it in the background and answers on localhost, so a
// read costs no AWS call and no AppConfigData permission juggling in the
// function, and a new deployment reaches every warm function within the
// extension's poll interval plus this package's TTL. Locally there is no
// extension and the emulator has no AppConfigData, so Hosted reads the
// newest hosted configuration version through the AppConfig control plane
// (GetHostedConfigurationVersion) instead.
package appconfig

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
)

// DefaultTTL is how long a parsed configuration is reused before it is
// fetched again. The extension itself polls AppConfig every 45 s by
// default, so a change reaches a warm function in under two minutes.
const DefaultTTL = 30 * time.Second

// Fetcher returns the raw content of one configuration profile, named as
// the Data stack names it (names.GlobalConfigProfile, …).
type Fetcher interface {
	Fetch(ctx context.Context, profile string) ([]byte, error)
}

// Source serves the global and reporting configurations, fetching each
// lazily on first use and again once its TTL has passed. It is safe for
// concurrent use. A failed fetch is returned, never cached; a configuration
// that does not parse is an error naming its fields, never a fallback to
// defaults.
type Source struct {
	fetch Fetcher
	ttl   time.Duration
	now   func() time.Time

	mu        sync.Mutex
	global    entry[config.Global]
	reporting entry[config.Reporting]
}

type entry[T any] struct {
	value   T
	fetched time.Time
	ok      bool
}

// New returns a source over f. ttl of 0 or less means DefaultTTL; now of
// nil means time.Now.
func New(f Fetcher, ttl time.Duration, now func() time.Time) *Source {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Source{fetch: f, ttl: ttl, now: now}
}

// Global returns the global configuration.
func (s *Source) Global(ctx context.Context) (config.Global, error) {
	return load(ctx, s, &s.global, names.GlobalConfigProfile, config.ParseGlobal)
}

// Reporting returns the reporting configuration.
func (s *Source) Reporting(ctx context.Context) (config.Reporting, error) {
	return load(ctx, s, &s.reporting, names.ReportingConfigProfile, config.ParseReporting)
}

func load[T any](
	ctx context.Context,
	s *Source,
	e *entry[T],
	profile string,
	parse func([]byte) (T, error),
) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if e.ok && now.Sub(e.fetched) < s.ttl {
		return e.value, nil
	}
	raw, err := s.fetch.Fetch(ctx, profile)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("read configuration %s: %w", profile, err)
	}
	v, err := parse(raw)
	if err != nil {
		var zero T
		return zero, &InvalidError{Profile: profile, Err: err}
	}
	*e = entry[T]{value: v, fetched: now, ok: true}
	return v, nil
}

// InvalidError is a deployed configuration that does not parse or breaks a
// rule. It deliberately does not unwrap to the validation error inside: a
// broken configuration is the operator's fault, not the API caller's, so it
// must answer 500, never a 400 naming configuration fields.
type InvalidError struct {
	Profile string
	Err     error
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("configuration %s is invalid: %v", e.Profile, e.Err)
}
