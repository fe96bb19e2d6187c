package report

import (
	"testing"
	"time"

	"github.com/isb-go/isb/common/fault"
)

func day(s string) time.Time {
	t, err := time.Parse(dayLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRequestMonth(t *testing.T) {
	now := at("2026-11-02T01:25:00Z")
	for _, tc := range []struct {
		name    string
		month   string
		now     time.Time
		want    time.Time
		wantErr bool
	}{
		{name: "no month reports the previous calendar month", now: now, want: day("2026-10-01")},
		{name: "no month in January reports December of the year before", now: at("2027-01-02T01:25:00Z"), want: day("2026-12-01")},
		{name: "no month is judged in UTC, not in the caller's zone", now: time.Date(2026, 11, 1, 0, 30, 0, 0, time.FixedZone("UTC+1", 3600)), want: day("2026-09-01")},
		{name: "a given month is reported", month: "2026-07", now: now, want: day("2026-07-01")},
		{name: "the running month may be reported", month: "2026-11", now: now, want: day("2026-11-01")},
		{name: "a month that has not begun is rejected", month: "2026-12", now: now, wantErr: true},
		{name: "a month without its leading zero is rejected", month: "2026-7", now: now, wantErr: true},
		{name: "a date instead of a month is rejected", month: "2026-07-01", now: now, wantErr: true},
		{name: "month thirteen is rejected", month: "2026-13", now: now, wantErr: true},
		{name: "free text is rejected", month: "last month", now: now, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Request{ReportMonth: tc.month}.Month(tc.now)
			if tc.wantErr {
				if !fault.Has(err, "reportMonth") {
					t.Fatalf("Month(%q) = %v, %v; want a validation error naming reportMonth", tc.month, got, err)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("Month(%q) = %v, %v; want %v", tc.month, got, err, tc.want)
			}
		})
	}
}

func TestPeriod(t *testing.T) {
	for _, tc := range []struct {
		name             string
		month, now       time.Time
		wantStart, wantE string
	}{
		{name: "a past month ends on the first of the next month so its last day counts",
			month: day("2026-10-01"), now: at("2026-11-02T01:25:00Z"), wantStart: "2026-10-01", wantE: "2026-11-01"},
		{name: "December ends on the first of January",
			month: day("2026-12-01"), now: at("2027-01-02T01:25:00Z"), wantStart: "2026-12-01", wantE: "2027-01-01"},
		{name: "February of a leap year ends after the 29th",
			month: day("2028-02-01"), now: at("2028-03-02T00:00:00Z"), wantStart: "2028-02-01", wantE: "2028-03-01"},
		{name: "the running month ends after today",
			month: day("2026-11-01"), now: at("2026-11-15T13:00:00Z"), wantStart: "2026-11-01", wantE: "2026-11-16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end := period(tc.month, tc.now)
			if start != tc.wantStart || end != tc.wantE {
				t.Fatalf("period = %s..%s; want %s..%s", start, end, tc.wantStart, tc.wantE)
			}
		})
	}
}

func TestSpanIn(t *testing.T) {
	month := day("2026-10-01")
	now := at("2026-11-02T01:25:00Z")
	for _, tc := range []struct {
		name        string
		account     string
		start, end  time.Time
		wantOK      bool
		first, last string
	}{
		{name: "a lease inside the month holds its start and end days whole",
			account: "111", start: at("2026-10-05T17:00:00Z"), end: at("2026-10-09T08:00:00Z"), wantOK: true, first: "2026-10-05", last: "2026-10-09"},
		{name: "a lease that started before the month is clipped to the first day",
			account: "111", start: at("2026-09-20T10:00:00Z"), end: at("2026-10-03T10:00:00Z"), wantOK: true, first: "2026-10-01", last: "2026-10-03"},
		{name: "a running lease holds every day to the end of the month",
			account: "111", start: at("2026-10-20T10:00:00Z"), wantOK: true, first: "2026-10-20", last: "2026-10-31"},
		{name: "a lease that ended on the month's first day holds that day",
			account: "111", start: at("2026-09-01T10:00:00Z"), end: at("2026-10-01T00:00:01Z"), wantOK: true, first: "2026-10-01", last: "2026-10-01"},
		{name: "a lease started and ended the same day holds that day",
			account: "111", start: at("2026-10-31T22:00:00Z"), end: at("2026-10-31T23:00:00Z"), wantOK: true, first: "2026-10-31", last: "2026-10-31"},
		{name: "a lease that ended before the month is left out",
			account: "111", start: at("2026-09-01T10:00:00Z"), end: at("2026-09-30T23:59:59Z")},
		{name: "a lease that started after the month is left out",
			account: "111", start: at("2026-11-01T00:00:00Z")},
		{name: "a lease that never had an account is left out",
			start: at("2026-10-05T00:00:00Z"), end: at("2026-10-06T00:00:00Z")},
		{name: "a lease that never started is left out",
			account: "111", end: at("2026-10-06T00:00:00Z")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := spanIn(tc.account, tc.start, tc.end, month, now)
			if ok != tc.wantOK {
				t.Fatalf("spanIn ok = %v; want %v (span %v)", ok, tc.wantOK, s)
			}
			if !ok {
				return
			}
			if got := [2]string{s.first.Format(dayLayout), s.last.Format(dayLayout)}; got != [2]string{
				tc.first,
				tc.last,
			} {
				t.Fatalf("span = %v; want %s..%s", got, tc.first, tc.last)
			}
		})
	}
}
