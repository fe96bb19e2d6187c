package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/common/spend"
)

// ApprovalTimeoutDenier is the deniedBy of the LeaseDenied sent when a
// request waited for approval longer than the configured limit. The event
// requires an email address; the reserved ".invalid" domain marks it as
// the platform, never a person.
const ApprovalTimeoutDenier = "approval-timeout@isb.invalid"

// Default concurrency: Cost Explorer calls in flight (its rate limit is
// low, and the SDK retries throttling) and lease writes in flight.
const (
	DefaultCostWorkers  = 4
	DefaultWriteWorkers = 16
)

// WriteGroup is how many leases one RecordCosts writes: a lease has at
// most three events (a freeze and two alerts), so 25 leases stay within
// DynamoDB's 100 items in a transaction (ddbstore.MaxCostRecords, which
// ddbstore's tests hold to this).
const WriteGroup = 25

// Leases is the lease store calls the monitor makes.
type Leases interface {
	AllByStatus(ctx context.Context, q page.StatusQuery) ([]lease.Lease, error)
	// RecordCosts writes up to WriteGroup leases' costs in one transaction
	// and reports the leases it left out because they changed meanwhile.
	RecordCosts(ctx context.Context, recs []lease.CostRecord) (conflicts []lease.Key, err error)
	Save(ctx context.Context, read, next lease.Lease, recs ...events.Record) (lease.Lease, error)
}

// Accounts counts accounts in a status.
type Accounts interface {
	CountByStatus(ctx context.Context, status account.Status) (int, error)
}

// Costs reads the daily spend of at most MaxAccountsPerCall accounts over
// the days [start, end) into into, and counts the calls made (costs.Chain,
// Cost Explorer in the management account).
type Costs interface {
	Fetch(ctx context.Context, into spend.Daily, accounts []string, start, end string) (calls int, err error)
}

// Service runs monitoring passes.
type Service struct {
	Leases   Leases
	Accounts Accounts
	Costs    Costs
	Config   config.GlobalSource
	Outbox   outbox.Deliverer
	// Namespace names the metric namespace (names.MetricNamespace).
	Namespace string
	// Metrics receives the pool gauges in CloudWatch embedded metric
	// format (the Lambda's stdout); nil writes none.
	Metrics io.Writer
	Log     *slog.Logger
	// CostWorkers and WriteWorkers bound the concurrency; 0 means the
	// defaults.
	CostWorkers, WriteWorkers int
}

// Summary says what one pass did.
type Summary struct {
	// Leases is how many Active and Frozen leases were read.
	Leases int `json:"leasesChecked"`
	// CostCalls counts GetCostAndUsage calls (pages included).
	CostCalls int `json:"costExplorerCalls"`
	// Writes counts leases written; Unchanged counts leases with nothing
	// to write.
	Writes    int `json:"writes"`
	Unchanged int `json:"unchanged"`
	// Conflicts counts leases that changed status meanwhile and were left
	// alone; Failed counts leases not checked because of an error.
	Conflicts int `json:"conflictsSkipped"`
	Failed    int `json:"failed"`
	// Events counts the events committed, by detail-type.
	Events map[string]int `json:"events"`
	// PendingExpired counts requests expired for waiting too long.
	PendingExpired int `json:"pendingExpired"`
	// AvailableAccounts and QuarantinedAccounts are the pool gauges.
	AvailableAccounts   int `json:"availableAccounts"`
	QuarantinedAccounts int `json:"quarantinedAccounts"`
	// Seconds is the wall time of each phase: read (the status index),
	// leases (costs, decisions and writes, read included), pending,
	// gauges and deliver.
	Seconds map[string]float64 `json:"seconds"`
}

// EventCount is the number of events committed in the pass.
func (s Summary) EventCount() int {
	n := 0
	for _, c := range s.Events {
		n += c
	}
	return n
}

// pass is the state of one Run shared by its workers.
type pass struct {
	svc *Service
	now time.Time

	mu   sync.Mutex
	sum  Summary
	recs []events.Record
	errs []error
}

func (p *pass) add(f func(s *Summary)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.sum)
}

func (p *pass) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, err)
}

// Run makes one monitoring pass at now. Every step is idempotent, so a
// failed pass is simply run again: a lease whose costs could not be
// fetched or written is left as it was, and the error is returned after
// everything else was done.
func (s *Service) Run(ctx context.Context, now time.Time) (Summary, error) {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	p := &pass{svc: s, now: now, sum: Summary{Events: map[string]int{}, Seconds: map[string]float64{}}}
	p.timed("leases", func() { p.monitorLeases(ctx) })
	p.timed("pending", func() { p.expirePending(ctx) })
	p.timed("gauges", func() { p.gauges(ctx) })

	// Every record is already in the outbox, committed with its change;
	// a delivery that fails is left to the outbox sweeper.
	p.timed("deliver", func() {
		if err := s.Outbox.Deliver(ctx, p.recs); err != nil {
			s.Log.WarnContext(ctx, "lease monitor: events left in the outbox for the sweeper", "events", len(p.recs), "error", err)
		}
	})
	b, _ := json.Marshal(p.sum)
	s.Log.InfoContext(ctx, "lease monitoring pass done", "summary", json.RawMessage(b), "errors", len(p.errs))
	return p.sum, errors.Join(p.errs...)
}

// timed runs one phase of the pass and records its wall time.
func (p *pass) timed(phase string, f func()) {
	began := time.Now()
	f()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sum.Seconds[phase] = time.Since(began).Seconds()
}

// checked is one lease with the cost Cost Explorer gave it.
type checked struct {
	l    lease.Lease
	cost float64
}

// monitorLeases fetches the costs of the Active and Frozen leases batch by
// batch and writes what changed, concurrently.
func (p *pass) monitorLeases(ctx context.Context) {
	var leases []lease.Lease
	var err error
	p.timed("read", func() {
		for _, st := range []lease.Status{lease.Active, lease.Frozen} {
			var ls []lease.Lease
			if ls, err = p.svc.Leases.AllByStatus(ctx, page.StatusQuery{Status: string(st)}); err != nil {
				return
			}
			leases = append(leases, ls...)
		}
	})
	if err != nil {
		p.fail(fmt.Errorf("lease monitor: %w", err))
		return
	}
	p.sum.Leases = len(leases)
	if len(leases) == 0 {
		return
	}
	todo := make(chan []lease.Lease)
	results := make(chan checked)
	var fetchers, writers sync.WaitGroup
	for range workers(p.svc.CostWorkers, DefaultCostWorkers) {
		fetchers.Go(func() {
			for batch := range todo {
				p.fetch(ctx, batch, results)
			}
		})
	}
	for range workers(p.svc.WriteWorkers, DefaultWriteWorkers) {
		writers.Go(func() {
			// Writes go out WriteGroup to a transaction.
			var group []lease.CostRecord
			for c := range results {
				if w, ok := p.check(ctx, c.l, c.cost); ok {
					if group = append(group, w); len(group) == WriteGroup {
						p.record(ctx, group)
						group = nil
					}
				}
			}
			p.record(ctx, group)
		})
	}
	for _, b := range batches(leases, MaxAccountsPerCall) {
		todo <- b
	}
	close(todo)
	fetchers.Wait()
	close(results)
	writers.Wait()
}

func workers(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// fetch gets one batch's costs and hands each lease to the writers. A
// batch whose costs cannot be fetched is skipped this pass.
func (p *pass) fetch(ctx context.Context, batch []lease.Lease, out chan<- checked) {
	costs, calls, err := batchCosts(ctx, p.svc.Costs, batch, p.now)
	p.add(func(s *Summary) { s.CostCalls += calls })
	if err != nil {
		p.svc.Log.ErrorContext(ctx, "lease monitor: cost batch skipped", "leases", len(batch), "error", err)
		p.add(func(s *Summary) { s.Failed += len(batch) })
		p.fail(err)
		return
	}
	for _, l := range batch {
		out <- checked{l: l, cost: costs[l.AccountID]}
	}
}

// record makes a group of writes (one transaction, through the commit
// port) and keeps the events of the leases written for delivery.
func (p *pass) record(ctx context.Context, group []lease.CostRecord) {
	if len(group) == 0 {
		return
	}
	var conflicts []lease.Key
	lost := map[lease.Key]bool{}
	err := outbox.Commit(ctx, p, p.now, func([]events.Record) (own []events.Record, err error) {
		conflicts, err = p.svc.Leases.RecordCosts(ctx, group)
		for _, k := range conflicts {
			lost[k] = true
		}
		if err != nil {
			return nil, err
		}
		for _, w := range group {
			if !lost[w.Read.Key] {
				own = append(own, w.Events...)
			}
		}
		return own, nil
	})
	for _, k := range conflicts {
		p.svc.Log.InfoContext(ctx, "lease monitor: lease changed meanwhile; left for the next pass", "lease_id", k.ID())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sum.Conflicts += len(conflicts)
	if err != nil {
		p.svc.Log.ErrorContext(ctx, "lease monitor: writes failed", "leases", len(group)-len(conflicts), "error", err)
		p.sum.Failed += len(group) - len(conflicts)
		p.errs = append(p.errs, err)
		return
	}
	for _, w := range group {
		if lost[w.Read.Key] {
			continue
		}
		p.sum.Writes++
		if len(w.Events) > 0 {
			p.svc.Log.InfoContext(ctx, "lease monitor: events committed", "lease_id", w.Read.Key.ID(),
				"account_id", w.Read.AccountID, "cost", w.Cost, "events", len(w.Events), "end_requested", w.End)
		}
	}
}

// check decides one lease and returns its write, if it needs one; the
// caller groups the writes.
// Deliver keeps what the pass committed for the end of the pass, when it
// goes out ten events to a PutEvents (Run): the monitor's commits deliver
// late, not one lease at a time.
func (p *pass) Deliver(_ context.Context, recs []events.Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recs = append(p.recs, recs...)
	for _, r := range recs {
		p.sum.Events[r.DetailType]++
	}
	return nil
}

func (p *pass) check(ctx context.Context, l lease.Lease, fetched float64) (lease.CostRecord, bool) {
	log := p.svc.Log.With("lease_id", l.Key.ID(), "account_id", l.AccountID)
	// Never lower the stored cost. Cost Explorer revises recent days and
	// may not know an account for hours; a lower figure would re-arm
	// budget thresholds already announced (they fire on stored < t ≤ cost)
	// and send them again when the figure comes back.
	cost := max(l.TotalCostAccrued, fetched)
	d := Evaluate(l, cost, p.now)
	// Nothing changed: nothing is written, not even lastCheckedDate. That
	// is safe for the duration thresholds' de-duplication: a threshold
	// whose moment falls in (lastCheckedDate, now] always fires, and a
	// firing always writes, moving lastCheckedDate past it; a threshold
	// not due yet stays ahead of every later now until it fires. The one
	// threshold that falls due without firing, a freeze threshold of a
	// Frozen lease, is written too, so it cannot fire after an unfreeze.
	if len(d.Events) == 0 && cost == l.TotalCostAccrued && len(crossedDuration(l, p.now)) == 0 {
		p.add(func(s *Summary) { s.Unchanged++ })
		return lease.CostRecord{}, false
	}
	recs, err := events.Records(p.now, d.Events...)
	if err != nil {
		log.ErrorContext(ctx, "lease monitor: events not valid; lease skipped", "error", err)
		p.add(func(s *Summary) { s.Failed++ })
		p.fail(fmt.Errorf("lease %s: %w", l.Key, err))
		return lease.CostRecord{}, false
	}
	return lease.CostRecord{Read: l, Cost: cost, CheckedAt: p.now, End: d.End, Events: recs}, true
}

// expirePending expires requests that waited for approval longer than the
// configured limit (0: never, as upstream). The wait counts from when the
// lease last entered PendingApproval, its creation for a request never
// approved; a request sent back to pending by a failed blueprint waits
// afresh. The lease goes to Expired, its user's lease count is lowered
// in the same write, and the user is told with a LeaseDenied.
func (p *pass) expirePending(ctx context.Context) {
	g, err := p.svc.Config.Global(ctx)
	if err != nil {
		p.fail(fmt.Errorf("lease monitor: pending approvals not checked: %w", err))
		return
	}
	limit := g.Leases.PendingApprovalTimeout()
	if limit <= 0 {
		return
	}
	pending, err := p.svc.Leases.AllByStatus(ctx, page.StatusQuery{
		Status: string(lease.PendingApproval), ChangedBefore: p.now.Add(-limit)})
	if err != nil {
		p.fail(fmt.Errorf("lease monitor: pending approvals not checked: %w", err))
		return
	}
	for _, l := range pending {
		log := p.svc.Log.With("lease_id", l.Key.ID())
		next, err := l.End(lease.Expired, p.now, g.Leases.LeaseTTL())
		if err != nil {
			p.fail(err)
			continue
		}
		err = outbox.Commit(ctx, p, p.now, func(recs []events.Record) (_ []events.Record, err error) {
			_, err = p.svc.Leases.Save(ctx, l, next, recs...)
			return nil, err
		}, events.LeaseDenied{LeaseID: l.Key, DeniedBy: ApprovalTimeoutDenier})
		if errors.Is(err, fault.Conflict) || errors.Is(err, fault.NotFound) {
			log.InfoContext(ctx, "lease monitor: pending lease changed meanwhile; left alone")
			p.sum.Conflicts++
			continue
		}
		if err != nil {
			log.ErrorContext(ctx, "lease monitor: pending lease not expired", "error", err)
			p.fail(err)
			continue
		}
		log.InfoContext(ctx, "lease monitor: request expired waiting for approval", "waited_since", l.StatusChangedAt, "limit", limit)
		p.sum.PendingExpired++
	}
}

// gauges counts the Available and Quarantine accounts and writes them as
// one embedded-metric-format line.
func (p *pass) gauges(ctx context.Context) {
	avail, err := p.svc.Accounts.CountByStatus(ctx, account.Available)
	if err != nil {
		p.fail(fmt.Errorf("lease monitor: pool gauges: %w", err))
		return
	}
	quarantined, err := p.svc.Accounts.CountByStatus(ctx, account.Quarantine)
	if err != nil {
		p.fail(fmt.Errorf("lease monitor: pool gauges: %w", err))
		return
	}
	p.sum.AvailableAccounts, p.sum.QuarantinedAccounts = avail, quarantined
	if p.svc.Metrics == nil {
		return
	}
	doc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": p.now.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  names.MetricNamespace(p.svc.Namespace),
				"Dimensions": [][]string{{}},
				"Metrics": []any{
					map[string]string{"Name": names.MetricAvailableAccounts, "Unit": "Count"},
					map[string]string{"Name": names.MetricQuarantinedAccounts, "Unit": "Count"},
				},
			}},
		},
		names.MetricAvailableAccounts:   avail,
		names.MetricQuarantinedAccounts: quarantined,
	}
	b, _ := json.Marshal(doc)
	if _, err := fmt.Fprintln(p.svc.Metrics, string(b)); err != nil {
		p.fail(fmt.Errorf("lease monitor: write pool gauges: %w", err))
	}
}
