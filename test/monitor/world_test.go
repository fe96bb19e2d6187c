// Package monitor_test runs the lease monitor against the emulator: the
// lease, account and outbox tables, the event bus with a tap, the pool
// parameter in SSM, and Cost Explorer in the management account reached
// through the hub's role chain, its answers queued through moto's
// static-results endpoint.
package monitor_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/costs"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/monitor"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

const (
	hub = "111111111111"
	// mgmt is the management account. It is not the emulator's default
	// account, so Cost Explorer answers only reach a caller that really
	// went through the role chain.
	mgmt = "222222222222"
)

// t0 is noon, so a second pass an hour later asks Cost Explorer the same
// question (same days) and gets the same queued answer.
var t0 = fixture.T0

// world is one test's platform and the monitor under test.
type world struct {
	t *testing.T
	fixture.Platform
	pub     *bus.Publisher
	costs   *fixture.CostCalls
	metrics *bytes.Buffer
	svc     *monitor.Service
}

func newWorld(t *testing.T, g config.Global) *world {
	t.Helper()
	p := fixture.NewPlatform(t)
	cfg := p.Cfg
	w := &world{t: t, Platform: p, metrics: &bytes.Buffer{}}

	fixture.PutParam(
		t,
		cfg,
		fixture.PoolParamName,
		config.AccountPoolParam{EntryOuID: "ou-entry", OrgMgtAccountID: mgmt},
	)
	w.pub = fixture.Publisher(cfg)
	w.costs = &fixture.CostCalls{Inner: costs.NewChain(cfg, fixture.Namespace, hub, "lease-monitor",
		poolparam.New(paramstore.New(cfg), fixture.PoolParamName, 0, nil))}
	w.svc = &monitor.Service{
		Leases: w.Store.Leases(), Accounts: w.Store.Accounts(), Costs: costs.Explorer{Clients: w.costs},
		Config: fixture.StaticConfig(g), Outbox: outbox.New(w.Store.Outbox(), w.pub),
		Namespace: fixture.Namespace, Metrics: w.metrics, Log: slog.New(slog.NewTextHandler(testLog{t}, nil)),
		// One Cost Explorer call at a time: moto hands out queued answers
		// in the order requests arrive.
		CostWorkers: 1,
	}
	return w
}

// testLog sends the service's log to the test's log, shown on failure.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// spend is what an account spent on one day.
type spend struct {
	account string
	day     string
	amount  float64
}

// answer is one Cost Explorer answer grouping the spends by day and
// linked account.
func answer(spends ...spend) emulator.CostAndUsage {
	var out emulator.CostAndUsage
	byDay := map[string]int{}
	for _, s := range spends {
		i, ok := byDay[s.day]
		if !ok {
			d, _ := time.Parse("2006-01-02", s.day)
			out.ResultsByTime = append(out.ResultsByTime, emulator.CostResultByTime{
				TimePeriod: emulator.CostPeriod{Start: s.day, End: d.AddDate(0, 0, 1).Format("2006-01-02")},
				Total:      map[string]emulator.CostAmount{}, Estimated: true})
			i = len(out.ResultsByTime) - 1
			byDay[s.day] = i
		}
		out.ResultsByTime[i].Groups = append(out.ResultsByTime[i].Groups, emulator.CostGroup{Keys: []string{s.account},
			Metrics: map[string]emulator.CostAmount{"UnblendedCost": {Amount: fmt.Sprint(s.amount), Unit: "USD"}}})
	}
	return out
}

func (w *world) queue(answers ...emulator.CostAndUsage) {
	w.t.Helper()
	if err := emulator.QueueCostAndUsage(context.Background(), mgmt, answers...); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) run(at time.Time) monitor.Summary {
	w.t.Helper()
	sum, err := w.svc.Run(context.Background(), at)
	if err != nil {
		w.t.Fatalf("monitoring pass at %s: %v", at.Format(time.RFC3339), err)
	}
	return sum
}

func (w *world) create(l lease.Lease) lease.Lease {
	w.t.Helper()
	l, err := w.Store.Leases().Create(context.Background(), l, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return l
}

// get reads a lease.
func (w *world) get(k lease.Key) lease.Lease {
	w.t.Helper()
	return fixture.Lease(w.t, w.Store, k)
}

func ptr[T any](v T) *T { return &v }

// active is an Active lease of account acct started two days before t0,
// ending 100 hours after its start, checked an hour before t0, with
// spend stored and budget (0: no budget).
func active(n int, acct string, stored, budget float64) lease.Lease {
	startedAt := t0.Add(-48 * time.Hour)
	exp := startedAt.Add(100 * time.Hour)
	l := lease.Lease{
		Key: lease.Key{
			UserEmail: fmt.Sprintf("user%d@example.com", n),
			UUID:      fmt.Sprintf("00000000-0000-4000-8000-%012d", n),
		},
		Status:           lease.Active,
		AccountID:        acct,
		StartDate:        startedAt,
		ExpirationDate:   &exp,
		LastCheckedDate:  t0.Add(-time.Hour),
		TotalCostAccrued: stored,
		Terms:            lease.Terms{LeaseDurationInHours: ptr(100.0)},
	}
	if budget > 0 {
		l.MaxSpend = &budget
	}
	return l
}

// day is t0's date minus back days.
func day(back int) string { return t0.AddDate(0, 0, -back).Format("2006-01-02") }
