package monitor

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/costs"
	"github.com/isb-go/isb/common/lease"
)

func leasesStarting(starts ...time.Time) []lease.Lease {
	out := make([]lease.Lease, len(starts))
	for i, s := range starts {
		out[i] = lease.Lease{AccountID: fmt.Sprintf("%012d", 900000000000-i), StartDate: s}
	}
	return out
}

func TestBatches(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	many := make([]time.Time, 400)
	for i := range many {
		many[i] = day
	}
	tests := []struct {
		name  string
		in    []lease.Lease
		sizes []int
		first string
	}{
		{"no leases make no batch", nil, nil, ""},
		{"199 leases make one batch", leasesStarting(many[:199]...), []int{199}, "899999999802"},
		{"400 leases make batches of 199, 199 and 2", leasesStarting(many...), []int{199, 199, 2}, "899999999601"},
		{"leases are ordered by start date before account id",
			leasesStarting(day.Add(2*time.Hour), day, day.Add(time.Hour)), []int{3}, "899999999999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := batches(tc.in, MaxAccountsPerCall)
			if len(got) != len(tc.sizes) {
				t.Fatalf("got %d batches, want %d", len(got), len(tc.sizes))
			}
			for i, b := range got {
				if len(b) != tc.sizes[i] {
					t.Errorf("batch %d has %d leases, want %d", i, len(b), tc.sizes[i])
				}
			}
			if len(got) > 0 && got[0][0].AccountID != tc.first {
				t.Errorf("first lease is account %s, want %s", got[0][0].AccountID, tc.first)
			}
		})
	}
}

func TestCostRequest(t *testing.T) {
	now := time.Date(2026, 11, 10, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name       string
		starts     []time.Time
		start, end string
	}{
		{"the period runs from the earliest start day to tomorrow",
			[]time.Time{time.Date(2026, 11, 3, 15, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 22, 0, 0, 0, time.UTC)},
			"2026-11-01", "2026-11-11"},
		{"a lease started today asks for today only", []time.Time{now.Add(-time.Hour)}, "2026-11-10", "2026-11-11"},
		{"start days are taken in UTC", []time.Time{time.Date(2026, 11, 5, 1, 0, 0, 0, time.FixedZone("CET", 3600))},
			"2026-11-05", "2026-11-11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, start, end := window(leasesStarting(tc.starts...), now)
			in := costs.Request(ids, start, end)
			if got := aws.ToString(in.TimePeriod.Start); got != tc.start {
				t.Errorf("start %s, want %s", got, tc.start)
			}
			if got := aws.ToString(in.TimePeriod.End); got != tc.end {
				t.Errorf("end %s, want %s", got, tc.end)
			}
			if ids := in.Filter.And[0].Dimensions.Values; len(ids) != len(tc.starts) {
				t.Errorf("filter names %d accounts, want %d", len(ids), len(tc.starts))
			}
		})
	}
}
