package cleanup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/page"
)

// Executions is the Step Functions calls the watchdog makes.
type Executions interface {
	// Describe returns the execution's status and input; one that does
	// not exist is fault.NotFound.
	Describe(ctx context.Context, executionARN string) (status, input string, err error)
	Stop(ctx context.Context, executionARN, code, cause string) error
}

// AccountStore is the account store calls the watchdog makes.
type AccountStore interface {
	Get(ctx context.Context, id string) (account.Account, error)
	Save(ctx context.Context, read, next account.Account, recs ...events.Record) (account.Account, error)
	ListByStatus(ctx context.Context, q page.StatusQuery, p page.Page) ([]account.Account, string, error)
}

// Watchdog makes sure every cleanup ends with an event. A cleanup
// execution that failed, timed out or was aborted before it reported
// leaves its account in CleanUp with an outcome-less execution recorded;
// the watchdog reports it as AccountCleanupFailed. It writes the outcome
// and the event in one store transaction (the outbox), on the version it
// read, so whatever the races (the state machine reporting at the same
// moment, two watchdogs) a run is reported once.
type Watchdog struct {
	Accounts   AccountStore
	Executions Executions
	Outbox     outbox.Deliverer
	Now        func() time.Time
	// MaxAge: a recorded execution still running after this long is
	// stopped and reported (the state machine's own timeout plus slack).
	MaxAge time.Duration
	// RequestGrace: an account in CleanUp with no cleanup run recorded,
	// unchanged for this long, lost its CleanAccountRequest (or the state
	// machine never started) and is asked for again. 0 means
	// DefaultRequestGrace.
	RequestGrace time.Duration
	// Namespace is the metric namespace's namespace.
	Namespace string
	// Metrics receives names.MetricCleanupFailures in CloudWatch embedded
	// metric format (the Lambda's stdout).
	Metrics io.Writer
	Log     *slog.Logger
}

// ExecutionInput is the part of the state machine's input (the
// CleanAccountRequest envelope) the watchdog reads.
type ExecutionInput struct {
	Detail events.CleanAccountRequest `json:"detail"`
}

// DefaultRequestGrace is how long a cleanup request may take to start its
// execution (which records the run on the account) before the sweep asks
// again. A duplicate request is harmless: the state machine skips an
// account whose cleanup is running.
const DefaultRequestGrace = 30 * time.Minute

// failedStatuses are the end states that need a report from the watchdog.
var failedStatuses = []string{"FAILED", "TIMED_OUT", "ABORTED"}

// statusRunning is a running execution's status.
const statusRunning = "RUNNING"

// ExecutionEnded handles one "Step Functions Execution Status Change"
// event: input is the execution's input. It reports whether it emitted.
func (w *Watchdog) ExecutionEnded(
	ctx context.Context,
	executionARN string,
	status string,
	input string,
) (bool, error) {
	if !slices.Contains(failedStatuses, status) {
		return false, nil
	}
	var in ExecutionInput
	if err := json.Unmarshal([]byte(input), &in); err != nil || !account.ValidID(in.Detail.AccountID) {
		w.Log.WarnContext(ctx, "watchdog: execution input is not a cleanup request; ignored", "execution", executionARN)
		return false, nil
	}
	return w.report(
		ctx,
		in.Detail.AccountID,
		executionARN,
		in.Detail.Reason,
		"cleanup execution ended "+status+" without reporting",
	)
}

// SweepResult says what a sweep found.
type SweepResult struct {
	Checked  int      `json:"checked"`
	Reported []string `json:"reported"`
	// Requested are accounts whose lost cleanup request was made again.
	Requested []string `json:"requested"`
}

// Sweep checks every account in CleanUp: one whose recorded execution
// has ended without reporting, no longer exists or has run longer than
// MaxAge is reported as failed (a too-old execution is stopped first); one
// with no run recorded that has not changed for RequestGrace is asked to
// be cleaned again, so a lost CleanAccountRequest cannot leave an account
// in CleanUp for ever.
// Step Functions' status-change events do not exist on the emulator; the
// sweep is how the watchdog works there, and a safety net on AWS.
func (w *Watchdog) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	pg := page.Page{Size: 100}
	for {
		accounts, next, err := w.Accounts.ListByStatus(ctx, page.StatusQuery{Status: string(account.CleanUp)}, pg)
		if err != nil {
			return res, fmt.Errorf("watchdog sweep: %w", err)
		}
		for _, a := range accounts {
			res.Checked++
			if a.Cleanup == nil {
				done, err := w.requestAgain(ctx, a)
				if err != nil {
					return res, err
				}
				if done {
					res.Requested = append(res.Requested, a.ID)
				}
				continue
			}
			if a.Cleanup.Outcome != "" {
				continue
			}
			msg, reason, stuck, err := w.check(ctx, *a.Cleanup)
			if err != nil {
				return res, err
			}
			if !stuck {
				continue
			}
			done, err := w.report(ctx, a.ID, a.Cleanup.ExecutionARN, reason, msg)
			if err != nil {
				return res, err
			}
			if done {
				res.Reported = append(res.Reported, a.ID)
			}
		}
		if next == "" {
			return res, nil
		}
		pg.Token = next
	}
}

// requestAgain asks again for the cleanup of an account in CleanUp with no
// run recorded, once it has been unchanged for RequestGrace. The request
// is committed with a versioned write of the account (which resets the
// wait), so two sweeps never both ask. It reports whether it asked.
func (w *Watchdog) requestAgain(ctx context.Context, a account.Account) (bool, error) {
	grace := w.RequestGrace
	if grace <= 0 {
		grace = DefaultRequestGrace
	}
	if w.Now().Sub(a.UpdatedAt) <= grace {
		return false, nil
	}
	// The account is written unchanged: the write's new version is what
	// keeps a second sweep from asking too.
	err := outbox.Commit(ctx, w.Outbox, w.Now(), func(recs []events.Record) (_ []events.Record, err error) {
		_, err = w.Accounts.Save(ctx, a, a, recs...)
		return nil, err
	}, events.CleanAccountRequest{AccountID: a.ID, Reason: events.CleanupRetryFailed})
	if errors.Is(err, fault.Conflict) || errors.Is(err, fault.NotFound) {
		return false, nil // changed meanwhile: the next sweep looks again
	} else if err != nil {
		return false, fmt.Errorf("watchdog: %w", err)
	}
	w.Log.WarnContext(ctx, "watchdog: account in CleanUp with no cleanup running; cleanup requested again",
		"account_id", a.ID, "unchanged_since", a.UpdatedAt)
	return true, nil
}

// check decides whether a recorded execution is stuck, and why.
func (w *Watchdog) check(
	ctx context.Context,
	c account.CleanupExecution,
) (msg string, reason events.CleanupReason, stuck bool, err error) {
	status, input, err := w.Executions.Describe(ctx, c.ExecutionARN)
	if errors.Is(err, fault.NotFound) {
		return "cleanup execution no longer exists", "", true, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("watchdog: %w", err)
	}
	var in ExecutionInput
	_ = json.Unmarshal([]byte(input), &in)
	reason = in.Detail.Reason
	switch {
	case slices.Contains(failedStatuses, status):
		return "cleanup execution ended " + status + " without reporting", reason, true, nil
	case status == statusRunning && w.Now().Sub(c.StartedAt) > w.MaxAge:
		if err := w.Executions.Stop(ctx, c.ExecutionARN, "WatchdogTimeout",
			"the cleanup ran longer than "+w.MaxAge.String()); err != nil {
			return "", "", false, fmt.Errorf("watchdog: %w", err)
		}
		return "cleanup execution ran longer than " + w.MaxAge.String() + " and was stopped", reason, true, nil
	}
	return "", "", false, nil
}

// report emits AccountCleanupFailed for the execution recorded on the
// account, once. It reports whether it emitted.
func (w *Watchdog) report(
	ctx context.Context,
	accountID, executionARN string,
	reason events.CleanupReason,
	msg string,
) (bool, error) {
	if !slices.Contains(events.CleanupReasons, reason) {
		// The reason is lost with the execution; a failed cleanup is
		// retried through retryCleanup, whatever started it.
		reason = events.CleanupRetryFailed
	}
	for attempt := 0; attempt < 3; attempt++ {
		a, err := w.Accounts.Get(ctx, accountID)
		if errors.Is(err, fault.NotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("watchdog: %w", err)
		}
		if a.Status != account.CleanUp || a.Cleanup == nil || a.Cleanup.ExecutionARN != executionARN ||
			a.Cleanup.Outcome != "" {
			return false, nil // reported already, or another run owns the account
		}
		next := a
		run := *a.Cleanup
		run.Outcome = account.CleanupFailed
		next.Cleanup = &run
		next.CleanupFailures = a.CleanupFailures + 1
		// The event is committed with the outcome; a failed delivery stays
		// in the outbox for its sweeper.
		err = outbox.Commit(ctx, w.Outbox, w.Now(), func(recs []events.Record) (_ []events.Record, err error) {
			_, err = w.Accounts.Save(ctx, a, next, recs...)
			return nil, err
		}, events.AccountCleanupFailed{
			AccountID: a.ID,
			CleanupExecutionContext: events.ExecutionContext{
				StateMachineExecutionArn:       run.ExecutionARN,
				StateMachineExecutionStartTime: run.StartedAt,
			},
			Reason:              reason,
			ConsecutiveFailures: next.CleanupFailures,
			ErrorMessage:        msg,
		})
		if errors.Is(err, fault.Conflict) {
			continue
		} else if err != nil {
			return false, fmt.Errorf("watchdog: %w", err)
		}
		w.Log.WarnContext(ctx, "watchdog: cleanup reported as failed", "account_id", a.ID, "execution", executionARN,
			"consecutive_failures", next.CleanupFailures, "error", msg)
		w.metric()
		return true, nil
	}
	return false, fmt.Errorf("watchdog: account %s kept changing; will retry", accountID)
}

// metric writes one CleanupFailures data point in embedded metric format.
func (w *Watchdog) metric() {
	if w.Metrics == nil {
		return
	}
	doc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": w.Now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  names.MetricNamespace(w.Namespace),
				"Dimensions": [][]string{{}},
				"Metrics":    []any{map[string]string{"Name": names.MetricCleanupFailures, "Unit": "Count"}},
			}},
		},
		names.MetricCleanupFailures: 1,
	}
	b, _ := json.Marshal(doc)
	_, _ = fmt.Fprintln(w.Metrics, string(b))
}
