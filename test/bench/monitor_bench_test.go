package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

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

// monitoredLeases is the number of Active leases one pass checks.
const monitoredLeases = 10000

const (
	benchHub  = "111111111111"
	benchMgmt = "222222222222"
)

// BenchmarkLeaseMonitoring measures one monitoring pass over 10,000 Active
// leases against the emulator: the status-index read, 51 Cost Explorer
// calls (answers queued through moto's static results), the decisions, the
// conditional writes (16 in flight) and the event delivery. In both cases
// about one lease in ten crosses a budget threshold, one in a hundred
// exceeds its budget and one in two hundred has expired.
//
//   - changed=third: a typical hour. Cost Explorer refreshes its figures a
//     few times a day, so about a third of the leases have a new cost;
//     the others are not written at all.
//   - changed=all: the worst case, every lease's cost changed (one write
//     each).
//
// Seeding is not timed. Each extra iteration (b.N > 1) runs a day later
// with higher costs. On the emulator the time is dominated by moto, which
// serves one request at a time: about 5 ms per write however many are in
// flight, and seconds for the 10,000-item index query it re-sorts per page.
func BenchmarkLeaseMonitoring(b *testing.B) {
	for _, c := range []struct {
		name string
		// changeEvery: every changeEvery-th lease gets a new cost besides
		// those crossing a threshold.
		changeEvery int
	}{{"changed=third", 3}, {"changed=all", 1}} {
		b.Run(c.name, func(b *testing.B) { benchMonitoring(b, c.changeEvery) })
	}
}

func benchMonitoring(b *testing.B, changeEvery int) {
	ctx := context.Background()
	cfg := emulator.Config(b)
	store := fixture.Store(b, cfg)
	// The bus alone, without the fixture's tap queue: nobody drains the tap
	// here, and moto's SQS walks every queued message on each send, which
	// would charge the pass for a test artefact (about 13 s for 1,150
	// events). Consumers of the real bus drain their queues.
	if _, err := eventbridge.NewFromConfig(cfg).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(
		fixture.BusName)}); err != nil {
		b.Fatal(err)
	}
	poolName := fixture.PoolParamName
	fixture.PutParam(b, cfg, poolName, config.AccountPoolParam{EntryOuID: "ou-entry", OrgMgtAccountID: benchMgmt})

	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	start := now.Add(-72 * time.Hour)
	leases := make([]lease.Lease, monitoredLeases)
	for i := range leases {
		exp := start.Add(240 * time.Hour)
		if i%200 == 7 {
			exp = now.Add(-time.Hour)
		}
		leases[i] = lease.Lease{
			Key: lease.Key{
				UserEmail: fmt.Sprintf("user%d@example.com", i%500),
				UUID:      fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			},
			Status: lease.Active, AccountID: fmt.Sprintf("5%011d", i),
			// Start dates increase with the account id, so batch k holds
			// leases [199k, 199k+199) and the queued answers line up.
			StartDate: start.Add(time.Duration(i) * time.Second), ExpirationDate: &exp,
			LastCheckedDate: now.Add(-time.Hour), TotalCostAccrued: 20,
			Terms: lease.Terms{MaxSpend: aws.Float64(100), LeaseDurationInHours: aws.Float64(240),
				BudgetThresholds: []lease.BudgetThreshold{
					{DollarsSpent: 50, Action: lease.ActionAlert},
					{DollarsSpent: 80, Action: lease.ActionFreeze},
				},
				DurationThresholds: []lease.DurationThreshold{{HoursRemaining: 24, Action: lease.ActionAlert}}},
		}
	}
	if err := store.Leases().Import(ctx, leases); err != nil {
		b.Fatal(err)
	}

	counted := &fixture.CostCalls{Inner: costs.NewChain(cfg, fixture.Namespace, benchHub, "lease-monitor",
		poolparam.New(paramstore.New(cfg), poolName, 0, nil))}
	pub := fixture.Publisher(cfg)
	svc := &monitor.Service{
		Leases: store.Leases(), Accounts: store.Accounts(), Costs: costs.Explorer{Clients: counted},
		Config: fixture.StaticConfig(config.DefaultGlobal()), Outbox: outbox.New(store.Outbox(), pub),
		Namespace: fixture.Namespace, Metrics: io.Discard, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// moto hands queued answers out in arrival order; one call at a
		// time keeps them with their batch.
		CostWorkers: 1,
	}

	var wall time.Duration
	var ceCalls, putCalls, events, writes int
	b.ResetTimer()
	for pass := 0; pass < b.N; pass++ {
		b.StopTimer()
		at := now.AddDate(0, 0, pass)
		queueBenchCosts(b, leases, at, float64(pass), changeEvery)
		counted.Reset()
		pub.Calls = 0
		b.StartTimer()

		began := time.Now()
		sum, err := svc.Run(ctx, at)
		took := time.Since(began)

		b.StopTimer()
		if err != nil {
			b.Fatalf("pass %d: %v", pass, err)
		}
		if sum.Leases != monitoredLeases {
			b.Fatalf("pass %d read %d leases, want %d", pass, sum.Leases, monitoredLeases)
		}
		passEvents := sum.EventCount()
		maxCE := (monitoredLeases + monitor.MaxAccountsPerCall - 1) / monitor.MaxAccountsPerCall
		if counted.Calls() > maxCE {
			b.Fatalf("pass %d: %d Cost Explorer calls, want at most %d", pass, counted.Calls(), maxCE)
		}
		if maxPut := (passEvents + 9) / 10; pub.Calls > maxPut {
			b.Fatalf("pass %d: %d PutEvents calls for %d events, want at most %d", pass, pub.Calls, passEvents, maxPut)
		}
		fmt.Printf(
			"lease monitoring: %d leases in %.2fs wall (phases %v), %d Cost Explorer calls (%.2fs), %d PutEvents calls, %d events %v, %d writes, %d unchanged, %d conflicts\n",
			sum.Leases,
			took.Seconds(),
			sum.Seconds,
			counted.Calls(),
			counted.Spent().Seconds(),
			pub.Calls,
			passEvents,
			sum.Events,
			sum.Writes,
			sum.Unchanged,
			sum.Conflicts,
		)
		wall += took
		ceCalls += counted.Calls()
		putCalls += pub.Calls
		events += passEvents
		writes += sum.Writes
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(wall.Seconds()/n, "wall-s/pass")
	b.ReportMetric(float64(ceCalls)/n, "ce-calls/pass")
	b.ReportMetric(float64(putCalls)/n, "putevents/pass")
	b.ReportMetric(float64(events)/n, "events/pass")
	b.ReportMetric(float64(writes)/n, "writes/pass")
}

// queueBenchCosts queues one answer per batch of 199 leases for a pass at
// at: one account in ten crosses $50, one in a hundred exceeds the $100
// budget, every changeEvery-th one spent a little more and the others
// exactly what is stored. raise lifts every cost for later passes.
func queueBenchCosts(b *testing.B, leases []lease.Lease, at time.Time, raise float64, changeEvery int) {
	b.Helper()
	yesterday := at.AddDate(0, 0, -1).Format("2006-01-02")
	today := at.Format("2006-01-02")
	var answers []emulator.CostAndUsage
	for start := 0; start < len(leases); start += monitor.MaxAccountsPerCall {
		var groups []emulator.CostGroup
		for i := start; i < min(start+monitor.MaxAccountsPerCall, len(leases)); i++ {
			amount := 20 + raise*10
			if i%changeEvery == 0 {
				amount = 25 + raise*10
			}
			switch {
			case i%100 == 1:
				amount = 120 + raise*10
			case i%10 == 0:
				amount = 55 + raise*10
			}
			groups = append(groups, emulator.CostGroup{Keys: []string{leases[i].AccountID},
				Metrics: map[string]emulator.CostAmount{"UnblendedCost": {Amount: fmt.Sprint(amount), Unit: "USD"}}})
		}
		answers = append(answers, emulator.CostAndUsage{ResultsByTime: []emulator.CostResultByTime{{
			TimePeriod: emulator.CostPeriod{Start: yesterday, End: today}, Groups: groups, Estimated: true}}})
	}
	if err := emulator.QueueCostAndUsage(context.Background(), benchMgmt, answers...); err != nil {
		b.Fatal(err)
	}
}
