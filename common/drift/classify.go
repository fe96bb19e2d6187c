// Package drift is the drift monitor: every six hours it compares the OU
// each account actually sits in with the status its row records, and
// restores agreement. A transition of our own left half-way (the row
// written, the OU not yet moved) is completed; a move made by someone else
// is reported as AccountDriftDetected once two consecutive scans have seen
// it, for the lifecycle manager to quarantine the account (or forget it,
// when it left the pool); an account inside the pool with no row is
// reported at once.
package drift

import (
	"time"

	"github.com/isb-go/isb/common/account"
)

// DefaultGrace is how long after a status change an account is left alone:
// the lifecycle manager writes the row first and moves the OU second, so a
// row that changed this recently may have its move still in flight.
const DefaultGrace = 15 * time.Minute

// Verdict is what a scan makes of one registered account.
type Verdict int

// The verdicts, from Classify.
const (
	// InPlace: the account sits in the OU its status names.
	InPlace Verdict = iota
	// Settling: the row changed within the grace period; the scan skips it.
	Settling
	// HalfDone: the row is one allowed move ahead of the OU, a transition
	// of ours that stopped before the OU moved; the scan completes it.
	HalfDone
	// ForeignSuspected: a move we did not make, seen for the first time;
	// the scan only marks the row.
	ForeignSuspected
	// ForeignConfirmed: a move we did not make, seen by the previous scan
	// too; the scan reports it.
	ForeignConfirmed
)

func (v Verdict) String() string {
	switch v {
	case InPlace:
		return "InPlace"
	case Settling:
		return "Settling"
	case HalfDone:
		return "HalfDone"
	case ForeignSuspected:
		return "ForeignSuspected"
	case ForeignConfirmed:
		return "ForeignConfirmed"
	}
	return "Unknown"
}

// Drifted reports whether the verdict counts the account as drifted (in
// names.MetricDriftedAccounts): anything but in place or settling.
func (v Verdict) Drifted() bool { return v != InPlace && v != Settling }

// Classify decides what to do with account a, found in the pool OU actual
// ("" when it is in none of them), at time now, with DefaultGrace.
func Classify(a account.Account, actual account.OU, now time.Time) Verdict {
	return ClassifyWithin(a, actual, now, DefaultGrace)
}

// ClassifyWithin is Classify with the grace period given.
func ClassifyWithin(a account.Account, actual account.OU, now time.Time, grace time.Duration) Verdict {
	switch {
	case actual == a.Status:
		return InPlace
	case now.Sub(a.StatusChangedAt) < grace:
		return Settling
	case ours(a.Status, actual):
		return HalfDone
	case a.DriftAtLastScan:
		return ForeignConfirmed
	default:
		return ForeignSuspected
	}
}

// ours reports whether an account recorded in status but sitting in actual
// is a transition of ours that stopped half-way: the row is one allowed
// move ahead of the OU. Registration (row CleanUp, account still in Entry)
// is one of those moves. An account outside the pool or in Exit never is:
// nothing of ours moves an account back out of either.
func ours(status, actual account.OU) bool {
	if actual == "" || actual == account.Exit {
		return false
	}
	return account.CanMove(actual, status)
}
