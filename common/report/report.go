// Package report builds the monthly group cost report: the spend of every
// cost report group over one calendar month, as a CSV file in S3,
// announced with a GroupCostReportGenerated event (or a
// GroupCostReportGeneratedFailure event when it cannot be produced).
//
// A lease is charged the daily Cost Explorer spend of its account on the
// days of the month it held the account: from its start day to its end day
// (or today while it runs), both whole. Differences from upstream, on
// purpose: the month's last day is included (Cost Explorer's End is
// exclusive, so End is the first day of the next month); the lease's first
// day counts; a failed Cost Explorer call fails the report instead of
// leaving a silent gap; and Provisioning and ProvisioningFailed leases,
// which held an account too, are read as well.
//
// Known gap: ended leases are deleted when their TTL (the global
// configuration's leases.ttl, in days) passes. A lease that ended more
// than TTL days before the report runs is no longer in the table and its
// spend is missing. The report of month M runs early in month M+1, so a
// TTL of at least 32 days plus the schedule's delay keeps every lease.
package report

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"time"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/common/spend"
)

// Statuses are the lease statuses read: every status in which a lease
// holds or has held an account. Leases in them without an account or a
// start date (an Expired or ManuallyTerminated request that was never
// granted) are skipped.
var Statuses = []lease.Status{
	lease.Provisioning, lease.Active, lease.Frozen,
	lease.Expired, lease.BudgetExceeded, lease.ManuallyTerminated,
	lease.AccountQuarantined, lease.Ejected, lease.ProvisioningFailed,
}

// LeaseLister reads one page of the leases in a status through the status
// index (ddbstore.LeaseStore).
type LeaseLister interface {
	ListByStatus(ctx context.Context, q page.StatusQuery, p page.Page) ([]lease.Lease, string, error)
}

// Costs reads the daily spend of at most MaxAccountsPerCall accounts over
// the days [start, end) into into, and counts the calls made: Cost
// Explorer in the organization's management account, where the whole
// organization's spend is visible (costs.Chain).
type Costs interface {
	Fetch(ctx context.Context, into spend.Daily, accounts []string, start, end string) (calls int, err error)
}

// ObjectWriter writes the report file (objects.Store).
type ObjectWriter interface {
	Put(ctx context.Context, bucket, key string, body []byte, contentType string) error
}

// Publisher puts events on the bus. *bus.Publisher satisfies it.
type Publisher interface {
	Publish(ctx context.Context, recs []events.Record) ([]string, error)
}

// Deps are what the service needs.
type Deps struct {
	Leases  LeaseLister
	Costs   Costs
	Objects ObjectWriter
	Events  Publisher
	// Bucket receives the report files.
	Bucket string
	// LogName names the logs of this run (the Lambda's log group); the
	// failure event carries it.
	LogName string
}

// Service produces the report.
type Service struct {
	d Deps
}

// New returns the service.
func New(d Deps) *Service { return &Service{d: d} }

// Result says what a run produced.
type Result struct {
	// ReportMonth is the month reported on, as yyyy-MM.
	ReportMonth string `json:"reportMonth"`
	Bucket      string `json:"bucket"`
	Key         string `json:"key"`
	Rows        []Row  `json:"rows"`
	// Leases and Accounts count those that held an account in the month.
	Leases   int `json:"leases"`
	Accounts int `json:"accounts"`
	// CostExplorerCalls counts the GetCostAndUsage calls made.
	CostExplorerCalls int `json:"costExplorerCalls"`
}

// Run reports on the month starting at month (the first day, UTC) as of
// now. On any error nothing is announced as generated: a
// GroupCostReportGeneratedFailure event is published and the error
// returned. Running a month again writes a new file (the key carries the
// time of the run) and publishes a new event.
func (s *Service) Run(ctx context.Context, month, now time.Time) (Result, error) {
	month = MonthOf(month)
	label := month.Format(events.ReportMonthLayout)
	res, err := s.run(ctx, month, now)
	if err == nil {
		return res, nil
	}
	err = fmt.Errorf("group cost report %s: %w", label, err)
	if ferr := s.publish(ctx, events.GroupCostReportGeneratedFailure{
		ReportMonth: label, Timestamp: now.UTC(), LogName: s.d.LogName,
	}, now); ferr != nil {
		err = errors.Join(err, ferr)
	}
	return Result{ReportMonth: label}, err
}

func (s *Service) run(ctx context.Context, month, now time.Time) (Result, error) {
	res := Result{ReportMonth: month.Format(events.ReportMonthLayout), Bucket: s.d.Bucket}
	if month.After(MonthOf(now)) {
		return res, fmt.Errorf("the month has not begun yet")
	}
	leases, err := s.leases(ctx)
	if err != nil {
		return res, err
	}
	hs := holding(leases, month, now)
	accounts := accountsOf(hs)
	res.Leases, res.Accounts = len(hs), len(accounts)

	daily := spend.Daily{}
	if len(accounts) > 0 {
		start, end := period(month, now)
		var err error
		daily, res.CostExplorerCalls, err = fetchCosts(ctx, s.d.Costs, accounts, start, end)
		if err != nil {
			return res, err
		}
	}
	res.Rows = rows(hs, allocate(hs, daily), month)
	body, err := renderCSV(res.Rows)
	if err != nil {
		return res, err
	}
	key := objectKey(month, now)
	if err := s.d.Objects.Put(ctx, s.d.Bucket, key, body, "text/csv"); err != nil {
		return res, err
	}
	res.Key = key
	slog.InfoContext(ctx, "group cost report written", "report_month", res.ReportMonth,
		"bucket", s.d.Bucket, "key", key, "groups", len(res.Rows), "leases", res.Leases,
		"accounts", res.Accounts, "cost_explorer_calls", res.CostExplorerCalls)
	if err := s.publish(ctx, events.GroupCostReportGenerated{
		ReportMonth: res.ReportMonth, FileName: key, BucketName: s.d.Bucket, Timestamp: now.UTC(),
	}, now); err != nil {
		return res, fmt.Errorf("the report was written to s3://%s/%s but not announced: %w", s.d.Bucket, key, err)
	}
	return res, nil
}

// leases reads every lease in Statuses, all pages.
func (s *Service) leases(ctx context.Context) ([]lease.Lease, error) {
	var out []lease.Lease
	for _, st := range Statuses {
		p := page.Page{Size: page.DefaultSize}
		for {
			ls, next, err := s.d.Leases.ListByStatus(ctx, page.StatusQuery{Status: string(st)}, p)
			if err != nil {
				return nil, fmt.Errorf("read leases: %w", err)
			}
			out = append(out, ls...)
			if next == "" {
				break
			}
			p.Token = next
		}
	}
	return out, nil
}

// publish validates, encodes and publishes one event.
func (s *Service) publish(ctx context.Context, e events.Event, now time.Time) error {
	recs, err := events.Records(now, e)
	if err != nil {
		return err
	}
	if _, err := s.d.Events.Publish(ctx, recs); err != nil {
		return fmt.Errorf("publish %s: %w", e.DetailType(), err)
	}
	return nil
}
