package cleanup

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock is a manual clock: Sleep and Advance move it; contexts from
// WithTimeout end when it passes their deadline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	timers []fakeTimer
}

type fakeTimer struct {
	at     time.Time
	cancel context.CancelFunc
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.slept = append(c.slept, d)
	c.mu.Unlock()
	c.Advance(d)
	return ctx.Err()
}

func (c *fakeClock) WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), cancel: cancel})
	c.mu.Unlock()
	return ctx, cancel
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var fire []context.CancelFunc
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !c.now.Before(t.at) {
			fire = append(fire, t.cancel)
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
	c.mu.Unlock()
	for _, f := range fire {
		f()
	}
}

// scriptedRunner plays one outcome per pass: "ok", "fail" or "hang" (runs
// past any timeout until its context ends). Each pass takes a minute.
type scriptedRunner struct {
	clock    *fakeClock
	outcomes []string
	ran      int
}

func (r *scriptedRunner) RunPass(ctx context.Context, pass int) error {
	if r.ran >= len(r.outcomes) {
		return errors.New("script exhausted: the loop ran more passes than expected")
	}
	o := r.outcomes[r.ran]
	r.ran++
	switch o {
	case "ok":
		r.clock.Advance(time.Minute)
		return nil
	case "fail":
		r.clock.Advance(time.Minute)
		return errors.New("aws-nuke exited with status 1")
	case "hang":
		r.clock.Advance(24 * time.Hour)
		<-ctx.Done()
		return ctx.Err()
	}
	panic("unknown outcome " + o)
}

func TestRunStopsAtTheRightPass(t *testing.T) {
	policy := Policy{SuccessesNeeded: 2, FailuresAllowed: 3, WaitAfterSuccess: 60 * time.Second,
		WaitAfterFailure: 5 * time.Minute, PassTimeout: 30 * time.Minute}
	for _, tt := range []struct {
		name     string
		policy   Policy
		outcomes []string
		want     Result
		wantWait []time.Duration
	}{
		{
			name:     "two clean passes in a row succeed",
			outcomes: []string{"ok", "ok"},
			want:     Result{Succeeded: true, Passes: 2},
			wantWait: []time.Duration{60 * time.Second},
		},
		{
			name:     "a failure resets the clean count",
			outcomes: []string{"ok", "fail", "ok", "ok"},
			want:     Result{Succeeded: true, Passes: 4, Failures: 1, LastError: "aws-nuke exited with status 1"},
			wantWait: []time.Duration{60 * time.Second, 5 * time.Minute, 60 * time.Second},
		},
		{
			name:     "three failures in all fail the cleanup, even with clean passes between",
			outcomes: []string{"fail", "ok", "fail", "ok", "fail"},
			want:     Result{Passes: 5, Failures: 3, LastError: "aws-nuke exited with status 1"},
			wantWait: []time.Duration{5 * time.Minute, 60 * time.Second, 5 * time.Minute, 60 * time.Second},
		},
		{
			name:     "a pass that outruns its timeout is stopped and counts as failed",
			outcomes: []string{"hang", "ok", "ok"},
			want:     Result{Succeeded: true, Passes: 3, Failures: 1, LastError: "pass timed out after 30m0s"},
			wantWait: []time.Duration{5 * time.Minute, 60 * time.Second},
		},
		{
			name:     "passes that all hang fail the cleanup in bounded time",
			outcomes: []string{"hang", "hang", "hang"},
			want:     Result{Passes: 3, Failures: 3, LastError: "pass timed out after 30m0s"},
			wantWait: []time.Duration{5 * time.Minute, 5 * time.Minute},
		},
		{
			name:     "one clean pass is enough when the policy says so",
			policy:   Policy{SuccessesNeeded: 1, FailuresAllowed: 1, PassTimeout: 10 * time.Minute},
			outcomes: []string{"ok"},
			want:     Result{Succeeded: true, Passes: 1},
		},
		{
			name:     "one failure is fatal when the policy says so",
			policy:   Policy{SuccessesNeeded: 1, FailuresAllowed: 1, PassTimeout: 10 * time.Minute},
			outcomes: []string{"fail"},
			want:     Result{Passes: 1, Failures: 1, LastError: "aws-nuke exited with status 1"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.policy
			if p == (Policy{}) {
				p = policy
			}
			clock := newFakeClock()
			runner := &scriptedRunner{clock: clock, outcomes: tt.outcomes}
			got, err := Run(t.Context(), p, runner, clock, slog.New(slog.NewJSONHandler(io.Discard, nil)))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result mismatch (-want +got):\n%s", diff)
			}
			if runner.ran != len(tt.outcomes) {
				t.Errorf("ran %d passes, want %d", runner.ran, len(tt.outcomes))
			}
			if diff := cmp.Diff(tt.wantWait, clock.slept); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunEndsWhenTheBuildIsStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	clock := newFakeClock()
	runner := passFunc(func(ctx context.Context, _ int) error { cancel(); <-ctx.Done(); return ctx.Err() })
	got, err := Run(
		ctx,
		Policy{SuccessesNeeded: 1, FailuresAllowed: 1, PassTimeout: time.Hour},
		runner,
		clock,
		slog.New(slog.NewJSONHandler(io.Discard, nil)),
	)
	if !errors.Is(err, context.Canceled) || got.Succeeded {
		t.Errorf("Run = %+v, %v; want not succeeded and context.Canceled", got, err)
	}
}

type passFunc func(context.Context, int) error

func (f passFunc) RunPass(ctx context.Context, pass int) error { return f(ctx, pass) }

func TestPolicyValidateRefusesLoopsThatCannotEnd(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    Policy
	}{
		{"no successes needed", Policy{SuccessesNeeded: 0, FailuresAllowed: 1, PassTimeout: time.Minute}},
		{"no failures allowed", Policy{SuccessesNeeded: 1, FailuresAllowed: 0, PassTimeout: time.Minute}},
		{"no pass timeout", Policy{SuccessesNeeded: 1, FailuresAllowed: 1}},
		{"a negative wait", Policy{SuccessesNeeded: 1, FailuresAllowed: 1, PassTimeout: time.Minute, WaitAfterFailure: -1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Validate(); err == nil {
				t.Error("Validate: want an error")
			}
		})
	}
}
