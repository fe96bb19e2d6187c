package drift

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
	"github.com/isb-go/isb/common/page"
)

// Accounts streams the account table and writes the drift flag.
type Accounts interface {
	List(ctx context.Context, p page.Page) ([]account.Account, string, error)
	Save(ctx context.Context, read, next account.Account, recs ...events.Record) (account.Account, error)
}

// Completer finishes a transition of ours: it brings the account's OU and
// access in line with its row (lifecycle.Service.Reconcile).
type Completer interface {
	Reconcile(ctx context.Context, accountID string) error
}

// Publisher puts event records on the bus (bus.Publisher).
type Publisher interface {
	Publish(ctx context.Context, recs []events.Record) (published []string, err error)
}

// Deps are the scan's collaborators and settings.
type Deps struct {
	Accounts Accounts
	Org      Org
	Complete Completer
	Bus      Publisher
	// Metrics receives one names.MetricDriftedAccounts line per scan in
	// CloudWatch embedded metric format (the Lambda's stdout); nil for
	// none.
	Metrics io.Writer
	// Namespace is the deployment's namespace (the metric namespace).
	Namespace string
	// Grace is how long after a status change an account is skipped;
	// zero means DefaultGrace.
	Grace time.Duration
	// PageSize is the account table page size; zero means the store's
	// default.
	PageSize int32
}

// Service runs drift scans.
type Service struct{ d Deps }

// New returns the service.
func New(d Deps) *Service {
	if d.Grace == 0 {
		d.Grace = DefaultGrace
	}
	return &Service{d: d}
}

// Summary says what one scan found and did.
type Summary struct {
	// Accounts is the number of rows scanned; Pool the number of accounts
	// found in the pool's OUs.
	Accounts int `json:"accounts"`
	Pool     int `json:"pool"`
	// Per verdict.
	InPlace   int `json:"inPlace"`
	Settling  int `json:"settling"`
	HalfDone  int `json:"halfDone"`
	Suspected int `json:"suspected"`
	Confirmed int `json:"confirmed"`
	// Untracked counts accounts in a pool OU other than Entry and Exit
	// without a row.
	Untracked int `json:"untracked"`
	// Completed counts half-done transitions completed; Flagged rows
	// marked on a first sighting; Cleared flags removed.
	Completed int `json:"completed"`
	Flagged   int `json:"flagged"`
	Cleared   int `json:"cleared"`
	// Changed counts rows that changed while the scan looked at them; the
	// next scan looks again.
	Changed int `json:"changed"`
	// Events is the number of AccountDriftDetected events published.
	Events int `json:"events"`
	// Failed is the number of accounts whose handling failed.
	Failed int `json:"failed"`
}

// Drifted is the number of accounts out of place (the metric).
func (s Summary) Drifted() int { return s.HalfDone + s.Suspected + s.Confirmed + s.Untracked }

// Scan compares every account's OU with its row and acts on the
// differences (see Verdict). One account's failure is logged and counted
// and the scan goes on; Scan then returns an error, so the scheduler runs
// it again (a scan repeated finds the work done). An error reading the
// OUs or the table stops the scan.
func (s *Service) Scan(ctx context.Context, now time.Time) (Summary, error) {
	var sum Summary
	placement, err := Placement(ctx, s.d.Org)
	if err != nil {
		return sum, fmt.Errorf("drift scan: %w", err)
	}
	sum.Pool = len(placement)
	tracked := map[string]bool{}
	var reports []events.Event
	var failures []error
	p := page.Page{Size: s.d.PageSize}
	for {
		rows, next, err := s.d.Accounts.List(ctx, p)
		if err != nil {
			return sum, fmt.Errorf("drift scan: %w", err)
		}
		for _, a := range rows {
			tracked[a.ID] = true
			sum.Accounts++
			ev, err := s.check(ctx, &sum, a, placement[a.ID], now)
			if err != nil {
				sum.Failed++
				failures = append(failures, err)
				slog.ErrorContext(ctx, "drift check failed", "account_id", a.ID, "error", err)
			}
			if ev != nil {
				reports = append(reports, *ev)
			}
		}
		if next == "" {
			break
		}
		p.Token = next
	}
	for _, id := range Untracked(placement, tracked) {
		sum.Untracked++
		slog.WarnContext(ctx, "Account Drift Detected", "account_id", id, "actual_ou", placement[id], "untracked", true)
		reports = append(reports, events.AccountDriftDetected{AccountID: id, ActualOU: string(placement[id])})
	}
	if err := s.publish(ctx, &sum, reports, now); err != nil {
		failures = append(failures, err)
	}
	s.metric(sum.Drifted(), now)
	slog.InfoContext(ctx, "drift scan finished", "summary", sum)
	if len(failures) > 0 {
		return sum, fmt.Errorf("drift scan: %d accounts failed: %w", sum.Failed, errors.Join(failures...))
	}
	return sum, nil
}

// check classifies one account and acts: clears a stale flag, completes a
// half-done transition, flags a first sighting, or returns the report of a
// confirmed one.
func (s *Service) check(
	ctx context.Context,
	sum *Summary,
	a account.Account,
	actual account.OU,
	now time.Time,
) (*events.AccountDriftDetected, error) {
	v := ClassifyWithin(a, actual, now, s.d.Grace)
	log := slog.With("account_id", a.ID, "status", a.Status, "actual_ou", actual, "verdict", v.String())
	switch v {
	case InPlace:
		sum.InPlace++
		if a.DriftAtLastScan {
			return nil, s.flag(ctx, sum, a, false)
		}
	case Settling:
		sum.Settling++
		log.InfoContext(ctx, "account changed recently; left for the next scan", "status_changed_at", a.StatusChangedAt)
	case HalfDone:
		sum.HalfDone++
		log.InfoContext(ctx, "completing a transition left half-way")
		if err := s.d.Complete.Reconcile(ctx, a.ID); err != nil {
			return nil, fmt.Errorf("complete the move of account %s from %s to %s: %w", a.ID, actual, a.Status, err)
		}
		sum.Completed++
		if a.DriftAtLastScan {
			return nil, s.flag(ctx, sum, a, false)
		}
	case ForeignSuspected:
		sum.Suspected++
		log.WarnContext(ctx, "account outside the OU of its status; confirming on the next scan")
		return nil, s.flag(ctx, sum, a, true)
	case ForeignConfirmed:
		sum.Confirmed++
		log.WarnContext(ctx, "Account Drift Detected", "expected_ou", a.Status)
		return &events.AccountDriftDetected{
			AccountID:  a.ID,
			ExpectedOU: string(a.Status),
			ActualOU:   string(actual),
		}, nil
	}
	return nil, nil
}

// flag sets or clears the account's drift flag. A row that changed since
// it was read is left for the next scan.
func (s *Service) flag(ctx context.Context, sum *Summary, a account.Account, on bool) error {
	next := a
	next.DriftAtLastScan = on
	_, err := s.d.Accounts.Save(ctx, a, next)
	switch {
	case errors.Is(err, fault.Conflict):
		sum.Changed++
		slog.InfoContext(ctx, "account changed during the scan; left for the next scan", "account_id", a.ID)
		return nil
	case err != nil:
		return fmt.Errorf("set the drift flag of account %s to %v: %w", a.ID, on, err)
	}
	if on {
		sum.Flagged++
	} else {
		sum.Cleared++
	}
	return nil
}

// publish puts the scan's reports on the bus.
func (s *Service) publish(ctx context.Context, sum *Summary, reports []events.Event, now time.Time) error {
	if len(reports) == 0 {
		return nil
	}
	recs, err := events.Records(now, reports...)
	if err != nil {
		return fmt.Errorf("encode drift reports: %w", err)
	}
	published, err := s.d.Bus.Publish(ctx, recs)
	sum.Events = len(published)
	if err != nil {
		return fmt.Errorf("publish drift reports: %w", err)
	}
	return nil
}

// metric writes the number of drifted accounts in embedded metric format.
func (s *Service) metric(drifted int, now time.Time) {
	if s.d.Metrics == nil {
		return
	}
	doc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": now.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  names.MetricNamespace(s.d.Namespace),
				"Dimensions": [][]string{{}},
				"Metrics":    []any{map[string]string{"Name": names.MetricDriftedAccounts, "Unit": "Count"}},
			}},
		},
		names.MetricDriftedAccounts: drifted,
	}
	b, _ := json.Marshal(doc)
	_, _ = fmt.Fprintln(s.d.Metrics, string(b))
}

// Untracked returns, sorted, the accounts found in a pool OU with no row.
// Accounts in Entry (waiting to be registered) and Exit (ejected) have no
// row by design and are left out.
func Untracked(placement map[string]account.OU, tracked map[string]bool) []string {
	var ids []string
	for id, ou := range placement {
		if !tracked[id] && ou != account.Entry && ou != account.Exit {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}
