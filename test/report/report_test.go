package report_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/report"
	"github.com/isb-go/isb/test/fixture"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTheScheduledRunReportsLastMonthPerGroup(t *testing.T) {
	w := newWorld(t)
	const (
		allMonth  = "100000000001"
		midStart  = "100000000002"
		midEnd    = "100000000003"
		noGroup   = "100000000004"
		endedOnce = "100000000005"
	)
	w.lease("all-month", lease.Active, allMonth, "alpha", ts("2026-09-15T09:00:00Z"), time.Time{})
	w.lease("started-mid-month", lease.Frozen, midStart, "alpha", ts("2026-10-20T15:30:00Z"), time.Time{})
	w.lease("ended-mid-month", lease.Expired, midEnd, "beta", ts("2026-09-01T08:00:00Z"), ts("2026-10-10T07:00:00Z"))
	w.lease("no-group", lease.ManuallyTerminated, noGroup, "", ts("2026-10-05T12:00:00Z"), ts("2026-10-25T12:00:00Z"))
	w.lease(
		"ended-before-the-month",
		lease.BudgetExceeded,
		endedOnce,
		"beta",
		ts("2026-08-01T08:00:00Z"),
		ts("2026-09-28T10:00:00Z"),
	)
	w.lease("never-granted", lease.Expired, "", "beta", time.Time{}, ts("2026-10-03T10:00:00Z"))
	// endedOnce's October spend belongs to nobody's lease in October.
	w.results(daily("2026-10-01", "2026-10-31", map[string]string{
		allMonth: "1", midStart: "2", midEnd: "10", noGroup: "0.5", endedOnce: "1000"}, ""))

	h := &report.Handler{Service: w.svc, Now: func() time.Time { return now }}
	res, err := h.Handle(context.Background(), report.Request{})
	if err != nil {
		t.Fatal(err)
	}

	// alpha: 31 days × 1 + 12 days (20th–31st, the first day whole) × 2;
	// beta: 10 days (1st–10th, the last day whole) × 10; no group: 5th–25th × 0.5.
	want := "CostReportGroup,StartDate,EndDate,Cost,Currency\n" +
		"No cost report group,2026-10-01,2026-10-31,10.50,USD\n" +
		"alpha,2026-10-01,2026-10-31,55.00,USD\n" +
		"beta,2026-10-01,2026-10-31,100.00,USD\n"
	wantKey := "2026/10/cost-report-20261102-012500.csv"
	if keys := w.objects(); !slices.Equal(keys, []string{wantKey}) {
		t.Fatalf("bucket holds %v; want only %s", keys, wantKey)
	}
	if got := w.read(wantKey); got != want {
		t.Fatalf("report =\n%s\nwant\n%s", got, want)
	}
	if res.Key != wantKey || res.Leases != 4 || res.Accounts != 4 || res.CostExplorerCalls != 1 {
		t.Fatalf("result = %s", fixture.JSON(res))
	}

	if len(w.ce.inputs) != 1 {
		t.Fatalf("Cost Explorer was called %d times; want once", len(w.ce.inputs))
	}
	in := w.ce.inputs[0]
	if got := [2]string{*in.TimePeriod.Start, *in.TimePeriod.End}; got != [2]string{"2026-10-01", "2026-11-01"} {
		t.Fatalf("time period = %v; want 2026-10-01..2026-11-01 (End is exclusive)", got)
	}
	if diff := cmp.Diff([]string{allMonth, midStart, midEnd, noGroup}, w.ce.linkedAccounts(0)); diff != "" {
		t.Fatalf("accounts asked for mismatch (-want +got):\n%s", diff)
	}

	got := w.Tap.Drain(t)
	wantEvent := events.GroupCostReportGenerated{
		ReportMonth: "2026-10",
		FileName:    wantKey,
		BucketName:  w.bucket,
		Timestamp:   now,
	}
	if len(got) != 1 || !cmp.Equal(got[0].Event, wantEvent) {
		t.Fatalf("events = %s; want only %s", fixture.JSON(got), fixture.JSON(wantEvent))
	}
}

func TestMoreThan199AccountsTakeTwoCostExplorerCalls(t *testing.T) {
	w := newWorld(t)
	first := map[string]string{}
	for i := 1; i <= 200; i++ {
		acct := fmt.Sprintf("2000000%05d", i)
		w.lease(fmt.Sprintf("lease-%03d", i), lease.Active, acct, "big", ts("2026-10-01T00:00:00Z"), time.Time{})
		if i <= 199 {
			first[acct] = "1"
		}
	}
	w.results(daily("2026-10-31", "2026-10-31", first, ""),
		daily("2026-10-31", "2026-10-31", map[string]string{"200000000200": "5"}, ""))

	res, err := w.svc.Run(context.Background(), ts("2026-10-01T00:00:00Z"), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.CostExplorerCalls != 2 || len(w.ce.inputs) != 2 {
		t.Fatalf("Cost Explorer calls = %d (recorded %d); want 2", res.CostExplorerCalls, len(w.ce.inputs))
	}
	if a, b := w.ce.linkedAccounts(0), w.ce.linkedAccounts(1); len(a) != 199 || a[0] != "200000000001" ||
		a[198] != "200000000199" ||
		!slices.Equal(b, []string{"200000000200"}) {
		t.Fatalf("batches = %d accounts from %s, then %v; want 199 from 200000000001 then the 200th", len(a), a[0], b)
	}
	want := "CostReportGroup,StartDate,EndDate,Cost,Currency\nbig,2026-10-01,2026-10-31,204.00,USD\n"
	if got := w.read(res.Key); got != want {
		t.Fatalf("report =\n%s\nwant\n%s", got, want)
	}
}

func TestAPaginatedCostExplorerResultIsFollowed(t *testing.T) {
	w := newWorld(t)
	w.lease("paged", lease.Active, "300000000001", "paged", ts("2026-10-01T00:00:00Z"), time.Time{})
	w.results(daily("2026-10-01", "2026-10-15", map[string]string{"300000000001": "1"}, "page-2"),
		daily("2026-10-16", "2026-10-31", map[string]string{"300000000001": "3"}, ""))

	res, err := w.svc.Run(context.Background(), ts("2026-10-01T00:00:00Z"), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.ce.inputs) != 2 || w.ce.inputs[0].NextPageToken != nil || *w.ce.inputs[1].NextPageToken != "page-2" {
		t.Fatalf("requests = %s; want the first page, then page-2", fixture.JSON(w.ce.inputs))
	}
	// 15 days × 1 + 16 days × 3.
	want := "CostReportGroup,StartDate,EndDate,Cost,Currency\npaged,2026-10-01,2026-10-31,63.00,USD\n"
	if got := w.read(res.Key); got != want {
		t.Fatalf("report =\n%s\nwant\n%s", got, want)
	}
}

func TestAFailedCostExplorerBatchFailsTheReport(t *testing.T) {
	w := newWorld(t)
	w.ce.failCall = 2
	for i := 1; i <= 200; i++ {
		w.lease(
			fmt.Sprintf("lease-%03d", i),
			lease.Active,
			fmt.Sprintf("4000000%05d", i),
			"big",
			ts("2026-10-01T00:00:00Z"),
			time.Time{},
		)
	}
	w.results(daily("2026-10-31", "2026-10-31", map[string]string{"400000000001": "1"}, ""))

	_, err := w.svc.Run(context.Background(), ts("2026-10-01T00:00:00Z"), now)
	if err == nil || !strings.Contains(err.Error(), "batch 2 of 2") {
		t.Fatalf("Run error = %v; want the failure of batch 2 of 2", err)
	}
	if keys := w.objects(); len(keys) != 0 {
		t.Fatalf("a failed report wrote %v", keys)
	}
	got := w.Tap.Drain(t)
	want := events.GroupCostReportGeneratedFailure{ReportMonth: "2026-10", Timestamp: now, LogName: logName}
	if len(got) != 1 || !cmp.Equal(got[0].Event, want) {
		t.Fatalf("events = %s; want only %s", fixture.JSON(got), fixture.JSON(want))
	}
}

func TestABadReportMonthIsRejectedNamingTheField(t *testing.T) {
	w := newWorld(t)
	w.lease("any", lease.Active, "500000000001", "g", ts("2026-10-01T00:00:00Z"), time.Time{})
	h := &report.Handler{Service: w.svc, Now: func() time.Time { return now }}
	for _, month := range []string{"2026-13", "October", "2026-10-01", "2026-12"} {
		_, err := h.Handle(context.Background(), report.Request{ReportMonth: month})
		if !fault.Has(err, "reportMonth") {
			t.Fatalf("Handle(reportMonth %q) error = %v; want a validation error naming reportMonth", month, err)
		}
	}
	if len(w.ce.inputs) != 0 {
		t.Fatalf("a rejected request called Cost Explorer %d times", len(w.ce.inputs))
	}
	if keys := w.objects(); len(keys) != 0 {
		t.Fatalf("a rejected request wrote %v", keys)
	}
	if got := w.Tap.Drain(t); len(got) != 0 {
		t.Fatalf("a rejected request published %s", fixture.JSON(got))
	}
}

func TestAGivenReportMonthIsReportedAndARerunAddsAFile(t *testing.T) {
	w := newWorld(t)
	w.lease("july", lease.Expired, "600000000001", "july", ts("2026-07-10T00:00:00Z"), ts("2026-07-12T00:00:00Z"))
	w.results(daily("2026-07-01", "2026-07-31", map[string]string{"600000000001": "2"}, ""))

	h := &report.Handler{Service: w.svc, Now: func() time.Time { return now }}
	first, err := h.Handle(context.Background(), report.Request{ReportMonth: "2026-07"})
	if err != nil {
		t.Fatal(err)
	}
	h.Now = func() time.Time { return now.Add(time.Hour) }
	second, err := h.Handle(context.Background(), report.Request{ReportMonth: "2026-07"})
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"2026/07/cost-report-20261102-012500.csv", "2026/07/cost-report-20261102-022500.csv"}
	if keys := w.objects(); !slices.Equal(keys, wantKeys) || first.Key != wantKeys[0] || second.Key != wantKeys[1] {
		t.Fatalf("bucket holds %v (runs wrote %s, %s); want %v", keys, first.Key, second.Key, wantKeys)
	}
	want := "CostReportGroup,StartDate,EndDate,Cost,Currency\njuly,2026-07-01,2026-07-31,6.00,USD\n"
	for _, k := range wantKeys {
		if got := w.read(k); got != want {
			t.Fatalf("%s =\n%s\nwant\n%s", k, got, want)
		}
	}
	if got := fixture.DetailTypes(w.Tap.Drain(t)); !slices.Equal(
		got,
		[]string{"GroupCostReportGenerated", "GroupCostReportGenerated"},
	) {
		t.Fatalf("events = %v; want two GroupCostReportGenerated", got)
	}
	if in := w.ce.inputs[0]; *in.TimePeriod.Start != "2026-07-01" || *in.TimePeriod.End != "2026-08-01" {
		t.Fatalf("time period = %s..%s; want 2026-07-01..2026-08-01", *in.TimePeriod.Start, *in.TimePeriod.End)
	}
}
