package account

import (
	"errors"
	"testing"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

func TestCandidateWindowsOfferAccountsPastTheCooldownFirst(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	w := CandidateWindows(now, 24*time.Hour)
	cut := now.Add(-24 * time.Hour)
	if len(w) != 2 {
		t.Fatalf("windows = %+v, want two", w)
	}
	if !w[0].Until.Equal(cut) || !w[0].After.IsZero() {
		t.Errorf("first window = %+v, want every account cleaned at or before %v", w[0], cut)
	}
	if !w[1].After.Equal(cut) || !w[1].Until.IsZero() {
		t.Errorf("second window = %+v, want the accounts cleaned after %v", w[1], cut)
	}
}

func TestPickCandidateNeverPicksASkippedAccount(t *testing.T) {
	candidates := []Account{{ID: "111111111111"}, {ID: "222222222222"}, {ID: "333333333333"}}
	skipped := map[string]bool{"111111111111": true, "333333333333": true}
	for range 50 {
		a, found := PickCandidate(candidates, func(id string) bool { return skipped[id] })
		if !found || a.ID != "222222222222" {
			t.Fatalf("picked %q (found %v), want 222222222222", a.ID, found)
		}
	}
	if _, found := PickCandidate(candidates, func(string) bool { return true }); found {
		t.Error("found a candidate when every one is skipped")
	}
	seen := map[string]bool{}
	for range 200 {
		a, _ := PickCandidate(candidates, func(string) bool { return false })
		seen[a.ID] = true
	}
	if len(seen) != len(candidates) {
		t.Errorf("200 picks spread over %d of %d candidates", len(seen), len(candidates))
	}
}

func TestGrantToMakesOnlyAnAvailableAccountTheLeasesAccount(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	k := lease.Key{UserEmail: "u@example.com", UUID: "x"}
	for _, from := range Statuses {
		t.Run("from "+string(from), func(t *testing.T) {
			a := Account{ID: "111111111111", Status: from}
			got, err := a.GrantTo(k, now)
			if from != Available {
				if !errors.Is(err, fault.Conflict) {
					t.Errorf("GrantTo from %s = %v, want a conflict", from, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != Active || got.Lease == nil || *got.Lease != k || !got.StatusChangedAt.Equal(now) {
				t.Errorf("granted account = %+v", got)
			}
		})
	}
}
