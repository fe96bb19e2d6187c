package lease

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/isb-go/isb/common/fault"
)

func intp(n int) *int { return &n }

// fieldOf returns the one field a validation error names, or "".
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var v *fault.ValidationError
	if !errors.As(err, &v) || len(v.Fields) == 0 {
		return ""
	}
	return v.Fields[0].Field
}

func TestHeartbeatSettingsOfATemplate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		h     Heartbeat
		field string
	}{
		{"no settings are valid", Heartbeat{}, ""},
		{"a default below the maximum is valid", Heartbeat{DefaultMinutes: 5, MaxMinutes: 30}, ""},
		{"a default above the maximum is refused naming the default", Heartbeat{DefaultMinutes: 31, MaxMinutes: 30},
			"heartbeatTimeoutMinutes"},
		{"a negative default is refused", Heartbeat{DefaultMinutes: -1}, "heartbeatTimeoutMinutes"},
		{"a maximum above a day is refused", Heartbeat{MaxMinutes: MaxHeartbeatTimeoutMinutes + 1},
			"maxHeartbeatTimeoutMinutes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.h.Validate()
			if got := fieldOf(t, err); got != tc.field {
				t.Fatalf("field = %q, want %q (err %v)", got, tc.field, err)
			}
		})
	}
}

func TestTheHeartbeatTimeoutARequestGets(t *testing.T) {
	for _, tc := range []struct {
		name  string
		h     Heartbeat
		asked *int
		want  int
		field string
	}{
		{"a template without settings and a request without one: no heartbeat", Heartbeat{}, nil, 0, ""},
		{"a request without one takes the template's default", Heartbeat{DefaultMinutes: 10}, nil, 10, ""},
		{"a request may ask below the default", Heartbeat{DefaultMinutes: 10, MaxMinutes: 30}, intp(2), 2, ""},
		{"a request may ask up to the template's maximum", Heartbeat{MaxMinutes: 30}, intp(30), 30, ""},
		{"a request above the template's maximum is refused", Heartbeat{MaxMinutes: 30}, intp(31), 0,
			"heartbeatTimeoutMinutes"},
		{"without a template maximum the platform's bounds the request", Heartbeat{},
			intp(MaxHeartbeatTimeoutMinutes + 1), 0, "heartbeatTimeoutMinutes"},
		{"without settings a request may ask for a heartbeat", Heartbeat{}, intp(15), 15, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.h.Timeout(tc.asked)
			if f := fieldOf(t, err); f != tc.field {
				t.Fatalf("field = %q, want %q (err %v)", f, tc.field, err)
			}
			if got != tc.want {
				t.Fatalf("timeout = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestALeaseRequestNamesABadHeartbeat(t *testing.T) {
	r := Request{LeaseTemplateUUID: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", HeartbeatTimeoutMinutes: intp(0)}
	if got := fieldOf(t, r.Validate()); got != "heartbeatTimeoutMinutes" {
		t.Fatalf("field = %q, want heartbeatTimeoutMinutes", got)
	}
}

func TestBeatingALease(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	beating := Lease{Key: Key{UserEmail: "ci@example.com", UUID: "u"}, Status: Active, HeartbeatTimeoutMinutes: 2}
	beating = beating.ArmHeartbeat(t0)
	later := t0.Add(5 * time.Minute)
	for _, tc := range []struct {
		name     string
		l        Lease
		now      time.Time
		deadline time.Time
		check    func(error) bool
	}{
		{"a beat moves the deadline to now plus the timeout", beating, later, later.Add(2 * time.Minute), nil},
		{"an earlier beat never moves the deadline back", beating, t0.Add(-time.Minute), t0.Add(2 * time.Minute), nil},
		{"a lease without a heartbeat is a field error", Lease{Status: Active}, later, time.Time{},
			func(err error) bool { return errors.Is(err, fault.Invalid) }},
		{"an ended lease is a conflict naming its status", func() Lease {
			l, _ := beating.End(Expired, t0, time.Hour)
			return l
		}(), later, time.Time{}, func(err error) bool {
			return errors.Is(err, fault.Conflict) && strings.Contains(err.Error(), "Expired")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.l.Beat(tc.now)
			if tc.check != nil {
				if !tc.check(err) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.HeartbeatDeadline == nil || !got.HeartbeatDeadline.Equal(tc.deadline) {
				t.Fatalf("deadline = %v, want %v", got.HeartbeatDeadline, tc.deadline)
			}
		})
	}
}

func TestTheHeartbeatDeadlineAcrossTheLifetime(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pending := Lease{Status: PendingApproval, HeartbeatTimeoutMinutes: 3}.ArmHeartbeat(t0)
	if pending.HeartbeatDeadline == nil || !pending.HeartbeatDeadline.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("a requested lease's deadline = %v, want the request plus its timeout", pending.HeartbeatDeadline)
	}
	grant := t0.Add(time.Hour)
	active, err := pending.Start("auto", grant)
	if err != nil {
		t.Fatal(err)
	}
	if !active.HeartbeatDeadline.Equal(grant.Add(3 * time.Minute)) {
		t.Fatalf("a granted lease's deadline = %v, want the grant plus its timeout", active.HeartbeatDeadline)
	}
	if !active.Silent(grant.Add(4*time.Minute)) || active.Silent(grant.Add(2*time.Minute)) {
		t.Fatal("a lease is silent once its deadline passed, and only then")
	}
	ended, err := active.End(ManuallyTerminated, grant, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if ended.HeartbeatDeadline != nil || ended.Silent(grant.Add(time.Hour)) {
		t.Fatal("an ended lease keeps no deadline (the sparse index forgets it) and is never silent")
	}
	none := Lease{Status: PendingApproval}.ArmHeartbeat(t0)
	if none.HeartbeatDeadline != nil {
		t.Fatal("a lease without a heartbeat gets no deadline")
	}
}
