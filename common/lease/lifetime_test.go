package lease

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/isb-go/isb/common/fault"
)

func TestWholeHoursRoundsToTheNearestHourAndNeverToZero(t *testing.T) {
	tests := []struct {
		name  string
		hours float64
		want  int // 0: nil
	}{
		{"a whole number of hours stays as it is", 24, 24},
		{"a fraction below a half rounds down", 35.4, 35},
		{"half an hour rounds up", 20.5, 21},
		{"a fraction above a half rounds up", 35.6, 36},
		{"a few seconds over a whole hour are that hour", 120 + 1.0/3600, 120},
		{"a few seconds under a whole hour are that hour", 120 - 1.0/3600, 120},
		{"a quarter of an hour is 1, never 0", 0.25, 1},
		{"half an hour is 1", 0.5, 1},
		{"zero hours is none", 0, 0},
		{"negative hours are none", -3, 0},
		{"not a number is none", math.NaN(), 0},
		{"infinity is none", math.Inf(1), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := WholeHours(tc.hours)
			switch {
			case tc.want == 0 && got != nil:
				t.Errorf("WholeHours(%v) = %d, want nil", tc.hours, *got)
			case tc.want != 0 && (got == nil || *got != tc.want):
				t.Errorf("WholeHours(%v) = %v, want %d", tc.hours, got, tc.want)
			}
		})
	}
	if WholeHoursOf(nil) != nil {
		t.Error("WholeHoursOf(nil) is not nil")
	}
	if got := WholeHoursOf(f64(7.5)); got == nil || *got != 8 {
		t.Errorf("WholeHoursOf(7.5) = %v, want 8", got)
	}
}

func TestDurationHoursIsExpirationMinusStartInWholeHours(t *testing.T) {
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	exp := start.Add(35*time.Hour + 36*time.Minute)
	l := Lease{StartDate: start, ExpirationDate: &exp}
	if got := l.DurationHours(); got == nil || *got != 36 {
		t.Errorf("DurationHours of 35 h 36 min = %v, want 36", got)
	}
	if got := (Lease{StartDate: start}).DurationHours(); got != nil {
		t.Errorf("DurationHours without expiration = %d, want nil", *got)
	}
	if got := (Lease{ExpirationDate: &exp}).DurationHours(); got != nil {
		t.Errorf("DurationHours without start = %d, want nil", *got)
	}
}

func TestStartGrantsTheLeaseFromNowUntilItsDurationIsUp(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	pending := Lease{Key: Key{UserEmail: "u@example.com", UUID: "x"}, Status: PendingApproval,
		Terms: Terms{LeaseDurationInHours: f64(1.5)}}
	active, err := pending.Start("manager@example.com", now)
	if err != nil {
		t.Fatal(err)
	}
	if active.Status != Active || active.ApprovedBy != "manager@example.com" ||
		!active.StartDate.Equal(now) || !active.LastCheckedDate.Equal(now) || !active.StatusChangedAt.Equal(now) {
		t.Errorf("started lease = %+v", active)
	}
	if want := now.Add(90 * time.Minute); active.ExpirationDate == nil || !active.ExpirationDate.Equal(want) {
		t.Errorf("expiration = %v, want %v", active.ExpirationDate, want)
	}
	pending.LeaseDurationInHours = nil
	if open, _ := pending.Start("m@example.com", now); open.ExpirationDate != nil {
		t.Errorf("a lease without a duration expires at %v", open.ExpirationDate)
	}
	if _, err := (Lease{Status: Expired}).Start("m@example.com", now); !errors.Is(err, fault.Conflict) {
		t.Errorf("starting an ended lease: %v, want a conflict", err)
	}
}

func TestEndStampsTheTTLOfAnEndedLease(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	keep := 35 * 24 * time.Hour
	active := Lease{Key: Key{UserEmail: "u@example.com", UUID: "x"}, Status: Active}
	tests := []struct {
		name    string
		from    Status
		to      Status
		wantErr bool
	}{
		{"an active lease ends expired", Active, Expired, false},
		{"a frozen lease ends over budget", Frozen, BudgetExceeded, false},
		{"a pending request is denied", PendingApproval, ApprovalDenied, false},
		{"a pending request expires", PendingApproval, Expired, false},
		{"an active lease is ejected", Active, Ejected, false},
		{"freezing is not an end", Active, Frozen, true},
		{"an ended lease cannot end again", Expired, ManuallyTerminated, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := active
			l.Status = tc.from
			ended, err := l.End(tc.to, now, keep)
			if tc.wantErr {
				if !errors.Is(err, fault.Conflict) {
					t.Errorf("End(%s → %s) = %v, want a conflict", tc.from, tc.to, err)
				}
				if ended.TTL != 0 {
					t.Errorf("a refused end set TTL %d", ended.TTL)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ended.Status != tc.to || !ended.EndDate.Equal(now) || ended.TTL != now.Add(keep).Unix() {
				t.Errorf("ended = status %s end %v ttl %d, want %s %v %d", ended.Status, ended.EndDate, ended.TTL,
					tc.to, now, now.Add(keep).Unix())
			}
		})
	}
}
