// Package reaper ends the leases whose holders stopped sending heartbeats:
// it lists the overdue leases through the sparse heartbeat index and ends
// each through the leasing service, which re-reads it and ends it only if
// it is still silent.
package reaper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

// Overdue lists the leases whose heartbeat deadline is before now.
type Overdue interface {
	Overdue(ctx context.Context, now time.Time) ([]lease.Lease, error)
}

// Ender ends one silent lease; false when it was not silent any more.
type Ender interface {
	EndSilent(ctx context.Context, k lease.Key) (bool, error)
}

// Reaper ends silent leases.
type Reaper struct {
	Leases Overdue
	Ender  Ender
	Now    func() time.Time
}

// Result counts what one run did.
type Result struct {
	Overdue, Ended, Kept int
}

// Run ends every lease silent at now. A lease that beat or ended
// meanwhile is kept; a lease another writer changed at the same moment is
// left to the next run (a minute later). Other errors are joined, after
// every lease was tried.
func (r Reaper) Run(ctx context.Context) (Result, error) {
	overdue, err := r.Leases.Overdue(ctx, r.Now())
	if err != nil {
		return Result{}, err
	}
	res := Result{Overdue: len(overdue)}
	var errs []error
	for _, l := range overdue {
		ended, err := r.Ender.EndSilent(ctx, l.Key)
		switch {
		case errors.Is(err, fault.Conflict), errors.Is(err, fault.NotFound):
			slog.InfoContext(ctx, "silent lease changed meanwhile; the next run looks again",
				"lease_id", l.Key.ID(), "account_id", l.AccountID, "error", err)
			res.Kept++
		case err != nil:
			errs = append(errs, fmt.Errorf("end silent lease %s: %w", l.Key.ID(), err))
		case ended:
			res.Ended++
		default:
			res.Kept++
		}
	}
	slog.InfoContext(ctx, "reaper run", "overdue", res.Overdue, "ended", res.Ended, "kept", res.Kept)
	return res, errors.Join(errs...)
}
