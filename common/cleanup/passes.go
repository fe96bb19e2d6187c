package cleanup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/isb-go/isb/common/config"
)

// Policy says when a cleanup is done: after SuccessesNeeded clean passes
// in a row (a failed pass resets the count), or after FailuresAllowed
// failed passes in all. It is common/config's Cleanup section.
type Policy struct {
	SuccessesNeeded  int
	FailuresAllowed  int
	WaitAfterSuccess time.Duration
	WaitAfterFailure time.Duration
	// PassTimeout bounds one aws-nuke pass; a pass that runs longer is
	// stopped and counts as failed.
	PassTimeout time.Duration
}

// PolicyFrom reads the pass policy from the global configuration.
func PolicyFrom(c config.Cleanup) Policy {
	return Policy{
		SuccessesNeeded:  c.NumberOfSuccessfulAttemptsToFinishCleanup,
		FailuresAllowed:  c.NumberOfFailedAttemptsToCancelCleanup,
		WaitAfterSuccess: c.WaitBeforeRerunSuccessfulAttempt(),
		WaitAfterFailure: c.WaitBeforeRetryFailedAttempt(),
		PassTimeout:      c.PassTimeout(),
	}
}

// Validate refuses a policy that could never finish.
func (p Policy) Validate() error {
	switch {
	case p.SuccessesNeeded < 1:
		return fmt.Errorf("cleanup policy: successes needed must be at least 1, not %d", p.SuccessesNeeded)
	case p.FailuresAllowed < 1:
		return fmt.Errorf("cleanup policy: failures allowed must be at least 1, not %d", p.FailuresAllowed)
	case p.PassTimeout <= 0:
		return fmt.Errorf("cleanup policy: the pass timeout must be positive, not %s", p.PassTimeout)
	case p.WaitAfterSuccess < 0 || p.WaitAfterFailure < 0:
		return errors.New("cleanup policy: waits must not be negative")
	}
	return nil
}

// Loop is the pass loop's state. Record one pass outcome at a time and do
// what the returned Step says. It does no I/O.
type Loop struct {
	policy Policy
	// Passes, Successes (in a row) and Failures (in all) so far.
	Passes, Successes, Failures int
	// LastError is the error of the last failed pass.
	LastError string
}

// NewLoop starts a loop under p.
func NewLoop(p Policy) *Loop { return &Loop{policy: p} }

// Step is what to do after a pass.
type Step struct {
	// Done ends the loop; Succeeded says how.
	Done, Succeeded bool
	// Wait is the pause before the next pass (when not Done).
	Wait time.Duration
}

// Record adds the outcome of one pass (nil for a clean pass) and returns
// the next step.
func (l *Loop) Record(passErr error) Step {
	l.Passes++
	if passErr == nil {
		l.Successes++
		if l.Successes >= l.policy.SuccessesNeeded {
			return Step{Done: true, Succeeded: true}
		}
		return Step{Wait: l.policy.WaitAfterSuccess}
	}
	l.Successes = 0
	l.Failures++
	l.LastError = passErr.Error()
	if l.Failures >= l.policy.FailuresAllowed {
		return Step{Done: true}
	}
	return Step{Wait: l.policy.WaitAfterFailure}
}

// Clock is time as the pass loop sees it.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
	// WithTimeout is context.WithTimeout on this clock.
	WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc)
}

// PassRunner runs one aws-nuke pass; it must stop when ctx ends.
type PassRunner interface {
	RunPass(ctx context.Context, pass int) error
}

// ErrPassTimeout marks a pass stopped by the policy's pass timeout.
var ErrPassTimeout = errors.New("pass timed out")

// Result is how a cleanup ended.
type Result struct {
	Succeeded bool   `json:"succeeded"`
	Passes    int    `json:"passes"`
	Failures  int    `json:"failures"`
	LastError string `json:"lastError,omitempty"`
}

// Run runs passes under p until the loop is done and logs each pass as a
// JSON line an admin can follow. Only the end of ctx (the build being
// stopped) ends it early, with ctx's error.
func Run(ctx context.Context, p Policy, runner PassRunner, clock Clock, log *slog.Logger) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	loop := NewLoop(p)
	for {
		pass := loop.Passes + 1
		started := clock.Now()
		log.InfoContext(ctx, "pass started", "pass", pass, "timeout", p.PassTimeout.String())
		passCtx, cancel := clock.WithTimeout(ctx, p.PassTimeout)
		err := runner.RunPass(passCtx, pass)
		timedOut := passCtx.Err() != nil && ctx.Err() == nil
		cancel()
		if ctx.Err() != nil {
			return resultOf(loop, false), fmt.Errorf("cleanup stopped during pass %d: %w", pass, ctx.Err())
		}
		if timedOut {
			err = fmt.Errorf("%w after %s", ErrPassTimeout, p.PassTimeout)
		}
		step := loop.Record(err)
		attrs := []any{"pass", pass, "clean", err == nil, "duration", clock.Now().Sub(started).String(),
			"successesInARow", loop.Successes, "failures", loop.Failures}
		if err != nil {
			attrs = append(attrs, "error", err.Error())
		}
		if step.Done {
			log.InfoContext(ctx, "cleanup finished", append(attrs, "succeeded", step.Succeeded)...)
			return resultOf(loop, step.Succeeded), nil
		}
		log.InfoContext(ctx, "pass finished", append(attrs, "next", step.Wait.String())...)
		if err := clock.Sleep(ctx, step.Wait); err != nil {
			return resultOf(loop, false), fmt.Errorf("cleanup stopped waiting after pass %d: %w", pass, err)
		}
	}
}

func resultOf(l *Loop, ok bool) Result {
	return Result{Succeeded: ok, Passes: l.Passes, Failures: l.Failures, LastError: l.LastError}
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx ends.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// WithTimeout is context.WithTimeout.
func (RealClock) WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}
