package drift

import (
	"slices"
	"testing"
	"time"

	"github.com/isb-go/isb/common/account"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestClassify(t *testing.T) {
	old := now.Add(-time.Hour)
	tests := []struct {
		name    string
		status  account.Status
		flagged bool
		changed time.Time
		actual  account.OU
		want    Verdict
	}{
		{"an account in the OU of its status is in place", account.Available, false, old, account.Available, InPlace},
		{"an account back in place after a flagged scan is in place", account.Active, true, old, account.Active, InPlace},
		{"an account in place is in place even right after its status changed", account.CleanUp, false, now.Add(-time.Minute), account.CleanUp, InPlace},
		{"a row changed within the grace period is settling", account.Available, false, now.Add(-14 * time.Minute), account.CleanUp, Settling},
		{"a row changed within the grace period is settling even outside the pool", account.Available, true, now.Add(-time.Minute), "", Settling},
		{"a row whose change lies in the future is settling", account.Active, false, now.Add(time.Minute), account.Available, Settling},
		{"a row changed exactly the grace period ago is no longer settling", account.Available, false, now.Add(-DefaultGrace), account.CleanUp, HalfDone},
		{"a cleaned account whose OU did not follow is half done", account.Available, false, old, account.CleanUp, HalfDone},
		{"a granted account still in Available is half done", account.Active, false, old, account.Available, HalfDone},
		{"a registered account still in Entry is half done", account.CleanUp, false, old, account.Entry, HalfDone},
		{"an ended lease's account still in Active is half done", account.CleanUp, false, old, account.Active, HalfDone},
		{"a quarantined account still in CleanUp is half done", account.Quarantine, false, old, account.CleanUp, HalfDone},
		{"an unfrozen account still in Frozen is half done", account.Active, false, old, account.Frozen, HalfDone},
		{"a half done account stays half done when flagged", account.Available, true, old, account.CleanUp, HalfDone},
		{"an account moved back against the move table is suspected", account.Available, false, old, account.Active, ForeignSuspected},
		{"an account moved two steps is suspected", account.Available, false, old, account.Frozen, ForeignSuspected},
		{"an account that left every pool OU is suspected", account.Available, false, old, "", ForeignSuspected},
		{"an account in Exit with a row is suspected", account.Available, false, old, account.Exit, ForeignSuspected},
		{"a registered account moved to Entry from elsewhere is suspected", account.Available, false, old, account.Entry, ForeignSuspected},
		{"a foreign move seen by the last scan too is confirmed", account.Available, true, old, account.Active, ForeignConfirmed},
		{"an account outside the pool seen by the last scan too is confirmed", account.Quarantine, true, old, "", ForeignConfirmed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := account.Account{ID: "123456789012", Status: tt.status, DriftAtLastScan: tt.flagged, StatusChangedAt: tt.changed}
			if got := Classify(a, tt.actual, now); got != tt.want {
				t.Errorf("Classify(status %s, in %q) = %s, want %s", tt.status, tt.actual, got, tt.want)
			}
		})
	}
}

func TestClassifyWithin(t *testing.T) {
	a := account.Account{ID: "123456789012", Status: account.Available, StatusChangedAt: now.Add(-30 * time.Minute)}
	tests := []struct {
		name  string
		grace time.Duration
		want  Verdict
	}{
		{"a longer grace period keeps a half-hour-old change settling", time.Hour, Settling},
		{"a shorter grace period lets a half-hour-old change be judged", 10 * time.Minute, HalfDone},
		{"no grace period judges every change", 0, HalfDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyWithin(a, account.CleanUp, now, tt.grace); got != tt.want {
				t.Errorf("ClassifyWithin(grace %s) = %s, want %s", tt.grace, got, tt.want)
			}
		})
	}
}

func TestVerdictDrifted(t *testing.T) {
	tests := []struct {
		verdict Verdict
		want    bool
	}{
		{InPlace, false}, {Settling, false}, {HalfDone, true}, {ForeignSuspected, true}, {ForeignConfirmed, true},
	}
	for _, tt := range tests {
		t.Run("a "+tt.verdict.String()+" account counts as drifted only if it is out of place", func(t *testing.T) {
			if got := tt.verdict.Drifted(); got != tt.want {
				t.Errorf("%s.Drifted() = %v, want %v", tt.verdict, got, tt.want)
			}
		})
	}
}

func TestUntracked(t *testing.T) {
	tests := []struct {
		name      string
		placement map[string]account.OU
		tracked   map[string]bool
		want      []string
	}{
		{"an account in Available with no row is untracked",
			map[string]account.OU{"111111111111": account.Available}, nil, []string{"111111111111"}},
		{"an account in Quarantine with no row is untracked",
			map[string]account.OU{"111111111111": account.Quarantine}, map[string]bool{}, []string{"111111111111"}},
		{"an account waiting in Entry is not untracked",
			map[string]account.OU{"111111111111": account.Entry}, nil, nil},
		{"an ejected account in Exit is not untracked",
			map[string]account.OU{"111111111111": account.Exit}, nil, nil},
		{"an account with a row is not untracked",
			map[string]account.OU{"111111111111": account.Active}, map[string]bool{"111111111111": true}, nil},
		{"untracked accounts are listed in id order",
			map[string]account.OU{"333333333333": account.Frozen, "111111111111": account.CleanUp, "222222222222": account.Entry},
			nil, []string{"111111111111", "333333333333"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Untracked(tt.placement, tt.tracked); !slices.Equal(got, tt.want) {
				t.Errorf("Untracked = %v, want %v", got, tt.want)
			}
		})
	}
}
