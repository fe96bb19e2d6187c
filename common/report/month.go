package report

import (
	"time"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
)

// dayLayout is how Cost Explorer and the CSV write a date.
const dayLayout = "2006-01-02"

// Request is the payload of one run: the scheduler's input, or a manual
// invocation. ReportMonth ("yyyy-MM") picks the month; empty means the
// previous calendar month (UTC).
type Request struct {
	ReportMonth string `json:"reportMonth,omitempty"`
}

// Month returns the first day (UTC) of the month the request asks for,
// given the time of the run. A malformed month, or one that has not begun
// yet, is a *fault.ValidationError naming reportMonth.
func (r Request) Month(now time.Time) (time.Time, error) {
	current := MonthOf(now)
	if r.ReportMonth == "" {
		return current.AddDate(0, -1, 0), nil
	}
	var f fault.Fields
	m, err := time.Parse(events.ReportMonthLayout, r.ReportMonth)
	switch {
	case err != nil || len(r.ReportMonth) != len(events.ReportMonthLayout):
		f.Add("reportMonth", "must be a month as yyyy-MM, got %q", r.ReportMonth)
	case m.After(current):
		f.Add("reportMonth", "%s has not begun yet (it is %s)", r.ReportMonth, current.Format(events.ReportMonthLayout))
	}
	if err := f.Err(); err != nil {
		return time.Time{}, err
	}
	return m, nil
}

// MonthOf returns the first instant (UTC) of the calendar month holding t.
func MonthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// dayOf returns the start (UTC) of the day holding t.
func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// lastDay returns the last day of the month starting at month.
func lastDay(month time.Time) time.Time { return month.AddDate(0, 1, -1) }

// period is the Cost Explorer time period of a month: Start is the first
// day and End the first day of the next month. Cost Explorer's End is
// exclusive, so the month's last day is included (upstream passed the
// last day and lost it). For the running month End stops after today,
// since Cost Explorer has nothing later.
func period(month, now time.Time) (start, end string) {
	next := month.AddDate(0, 1, 0)
	if tomorrow := dayOf(now).AddDate(0, 0, 1); tomorrow.Before(next) {
		next = tomorrow
	}
	return month.Format(dayLayout), next.Format(dayLayout)
}

// span is the days of a month a lease held its account: first and last are
// inclusive day starts (UTC), clipped to the month.
type span struct {
	first, last time.Time
}

// spanIn returns the days of month (first day UTC) that lease held its
// account: from the day it started (the whole first day counts) to the day
// it ended, or to now while it runs (the whole last day counts). ok is
// false when the lease does not overlap the month, or never had an
// account or a start.
func spanIn(accountID string, start, end, month, now time.Time) (s span, ok bool) {
	if accountID == "" || start.IsZero() {
		return span{}, false
	}
	if end.IsZero() {
		end = now
	}
	s.first, s.last = dayOf(start), dayOf(end)
	if s.last.Before(s.first) {
		s.last = s.first
	}
	if s.first.Before(month) {
		s.first = month
	}
	if end := lastDay(month); s.last.After(end) {
		s.last = end
	}
	return s, !s.first.After(s.last)
}
