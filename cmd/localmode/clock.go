package localmode

import (
	"sync/atomic"
	"time"
)

// Clock is local mode's one clock: the wall clock plus an offset that only
// grows. Every function local mode builds reads the platform's time from
// it (boot.WithClock), so advancing it ages leases, requests and accounts
// at once, as if that much time had passed. Tokens are still checked
// against the wall clock, so a token minted before an advance stays valid.
type Clock struct{ offset atomic.Int64 }

// Now is the wall clock moved on by every Advance so far.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock d forward; a negative d is ignored, since the
// platform's records assume time never runs backwards.
func (c *Clock) Advance(d time.Duration) {
	if d > 0 {
		c.offset.Add(int64(d))
	}
}

// Clock is the platform's clock (local mode only: in Lambda every function
// reads the wall clock).
func (p *Platform) Clock() *Clock { return &p.clock }
