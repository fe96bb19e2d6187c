package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkLocalModeLatency reports, over 20 leases in local mode, the
// time from a request to an Active lease with its Identity Center
// assignment, and from termination to the account Available again (the
// real aws-nuke with the configured passes included): median and p95.
func BenchmarkLocalModeLatency(b *testing.B) {
	const runs = 20
	user, admin := as(b, "user@example.com"), as(b, "admin@example.com")
	tpl := autoTemplate(b, "bench latency", 10, 24)
	for range b.N {
		var toActive, toAvailable []time.Duration
		for range runs {
			start := time.Now()
			l := user.request(tpl)
			assignmentsAre(b, l.AccountID, 1)
			toActive = append(toActive, time.Since(start))

			start = time.Now()
			user.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/terminate", nil, nil)
			admin.accountIs(l.AccountID, "Available")
			toAvailable = append(toAvailable, time.Since(start))
		}
		for _, m := range []struct {
			name string
			ds   []time.Duration
		}{{"request-to-active", toActive}, {"termination-to-available", toAvailable}} {
			slices.Sort(m.ds)
			median, p95 := m.ds[len(m.ds)/2], m.ds[(len(m.ds)*95+99)/100-1]
			b.ReportMetric(median.Seconds(), m.name+"-median-s")
			b.ReportMetric(p95.Seconds(), m.name+"-p95-s")
			fmt.Printf("%s over %d leases: median %s, p95 %s\n", m.name, runs, median.Round(time.Millisecond),
				p95.Round(time.Millisecond))
		}
	}
}
