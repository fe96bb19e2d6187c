// Package cached holds the lazy, time-bounded cache the readers of shared
// parameters use, and the read of a JSON parameter they share.
package cached

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Defaults fills in a cache's settings left out: a ttl of 0 or less means
// fallback, a nil now means time.Now.
func Defaults(ttl, fallback time.Duration, now func() time.Time) (time.Duration, func() time.Time) {
	if ttl <= 0 {
		ttl = fallback
	}
	if now == nil {
		now = time.Now
	}
	return ttl, now
}

// Value is one value loaded on first use and reused for a bounded time.
// Loads are serialized: concurrent callers wait for the one under way.
// The zero Value is empty.
type Value[T any] struct {
	mu       sync.Mutex
	value    T
	loadedAt time.Time
	loaded   bool
}

// Get returns the value loaded less than ttl before now(); otherwise it
// calls load and keeps what load returns without error.
func (v *Value[T]) Get(ctx context.Context, ttl time.Duration, now func() time.Time,
	load func(context.Context) (T, error)) (T, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.loaded && now().Sub(v.loadedAt) < ttl {
		return v.value, nil
	}
	x, err := load(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	v.value, v.loadedAt, v.loaded = x, now(), true
	return x, nil
}

// Parameters reads one Parameter Store parameter (paramstore.Reader).
type Parameters interface {
	Parameter(ctx context.Context, name string) (string, error)
}

// JSONParameter reads the parameter name and decodes its JSON document;
// what names the parameter in the errors ("pool", "IDC").
func JSONParameter[T any](ctx context.Context, api Parameters, what, name string) (T, error) {
	var p T
	value, err := api.Parameter(ctx, name)
	if err != nil {
		return p, fmt.Errorf("read %s parameter %s: %w", what, name, err)
	}
	if err := json.Unmarshal([]byte(value), &p); err != nil {
		var zero T
		return zero, fmt.Errorf("%s parameter %s is not the expected JSON: %w", what, name, err)
	}
	return p, nil
}
