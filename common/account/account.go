// Package account holds the sandbox account aggregate: where an account
// sits in the pool (its OU), its recorded status, the one table of allowed
// moves between pool OUs, and the validation of a registration.
package account

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

// OU is one of the pool's organizational units.
type OU string

// The seven pool OUs. The first five are also account statuses.
const (
	Available  OU = "Available"
	Active     OU = "Active"
	CleanUp    OU = "CleanUp"
	Quarantine OU = "Quarantine"
	Frozen     OU = "Frozen"
	// Entry holds accounts waiting to be registered; they have no row.
	Entry OU = "Entry"
	// Exit holds accounts ejected from the pool; their row is deleted.
	Exit OU = "Exit"
)

// Status is the recorded status of a registered account: the OU it should
// be in. Only the five OUs that hold registered accounts are statuses.
type Status = OU

// Statuses lists the five account statuses.
var Statuses = []Status{Available, Active, CleanUp, Quarantine, Frozen}

// OUs lists the seven pool OUs.
var OUs = []OU{Available, Active, CleanUp, Quarantine, Frozen, Entry, Exit}

// moves is the one table of allowed account moves between pool OUs. Every
// writer of an account status or an Organizations move consults it.
var moves = map[OU][]OU{
	Entry:      {CleanUp},                           // registration
	CleanUp:    {Available, Quarantine},             // cleanup succeeded / failed
	Available:  {Active, Quarantine, Exit},          // grant / drift / eject
	Active:     {Frozen, CleanUp, Quarantine, Exit}, // freeze / end of lease / drift / eject
	Frozen:     {Active, CleanUp, Quarantine, Exit}, // unfreeze / end of lease / drift / eject
	Quarantine: {CleanUp, Exit},                     // retry cleanup / eject
}

// creations is the table of the statuses a row may be created in, by the
// OU the account is found in without a row. Each is a move of the table
// above (or staying put): a registration takes an account from Entry to
// CleanUp; an untracked account found in a pool OU that holds registered
// accounts is quarantined where it stands. Accounts in Entry awaiting
// registration and in Exit (ejected) are not untracked.
var creations = map[OU]Status{
	Entry:      CleanUp,    // registration
	Available:  Quarantine, // untracked
	Active:     Quarantine, // untracked
	Frozen:     Quarantine, // untracked
	CleanUp:    Quarantine, // untracked
	Quarantine: Quarantine, // untracked, already where it belongs
}

// CanMove reports whether an account may move from one OU to another.
// Staying put is not a move.
func CanMove(from, to OU) bool {
	return slices.Contains(moves[from], to)
}

// CanCreate reports whether a row may be created in status for an account
// found in the OU foundIn.
func CanCreate(foundIn OU, status Status) bool {
	s, ok := creations[foundIn]
	return ok && s == status
}

// Creatable reports whether some OU lets a row be created in status; the
// store refuses any other status on creation.
func Creatable(status Status) bool {
	for _, s := range creations {
		if s == status {
			return true
		}
	}
	return false
}

// New returns the row of account id, found in the OU foundIn, created in
// status at now, or a conflict error naming both when the creation table
// forbids it.
func New(id string, foundIn OU, status Status, now time.Time) (Account, error) {
	if !CanCreate(foundIn, status) {
		return Account{}, &fault.ConflictError{Entity: "account", Key: id,
			Reason: fmt.Sprintf("cannot be recorded in %s when found in %s", status, foundIn)}
	}
	return Account{ID: id, Status: status, CreatedAt: now, StatusChangedAt: now}, nil
}

// Path returns the moves that take an account from one OU to another, one
// allowed move of the table at a time (the fewest), ending with to; none
// when from is to. When no sequence of moves leads there, the error names
// both OUs.
func Path(from, to OU) ([]OU, error) {
	if from == to {
		return nil, nil
	}
	prev := map[OU]OU{from: from}
	queue := []OU{from}
	for len(queue) > 0 {
		at := queue[0]
		queue = queue[1:]
		for _, next := range moves[at] {
			if _, seen := prev[next]; seen {
				continue
			}
			prev[next] = at
			if next == to {
				var path []OU
				for o := to; o != from; o = prev[o] {
					path = append([]OU{o}, path...)
				}
				return path, nil
			}
			queue = append(queue, next)
		}
	}
	return nil, fmt.Errorf("no allowed move leads from %s to %s: %w", from, to, fault.Conflict)
}

// IsStatus reports whether o is one of the five account statuses.
func (o OU) IsStatus() bool {
	return slices.Contains(Statuses, o)
}

// Valid reports whether o is one of the seven pool OUs.
func (o OU) Valid() bool {
	return slices.Contains(OUs, o)
}

// CleanupExecution records the cleanup run working on the account.
type CleanupExecution struct {
	ExecutionARN string
	StartedAt    time.Time
	// Outcome is empty while the run has not reported; then it is
	// CleanupSucceeded or CleanupFailed. The cleaner sets it in the same
	// write as the event it emits, so a run is reported once.
	Outcome string
}

// Outcomes of a cleanup run (CleanupExecution.Outcome).
const (
	CleanupSucceeded = "Succeeded"
	CleanupFailed    = "Failed"
)

// Account is a registered sandbox account.
type Account struct {
	ID     string
	Email  string
	Name   string
	Status Status

	// Lease is the lease holding the account, if any.
	Lease *lease.Key
	// DriftAtLastScan is set when the last drift scan found the account
	// outside the OU its status names.
	DriftAtLastScan bool
	Cleanup         *CleanupExecution
	// LastCleanedAt is when the last successful cleanup finished.
	LastCleanedAt time.Time
	// CleanupFailures counts failed cleanups in a row.
	CleanupFailures int

	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	StatusChangedAt time.Time
}

// Move returns a copy of a with status to, or a conflict error naming both
// statuses when the move table forbids it.
func (a Account) Move(to Status, now time.Time) (Account, error) {
	if !to.IsStatus() || !CanMove(a.Status, to) {
		return a, &fault.ConflictError{Entity: "account", Key: a.ID,
			Reason: fmt.Sprintf("cannot go from %s to %s", a.Status, to)}
	}
	a.Status = to
	a.StatusChangedAt = now
	if to == Available {
		a.LastCleanedAt = now
		a.CleanupFailures = 0
		a.Cleanup = nil
	}
	if to != Active && to != Frozen {
		a.Lease = nil
	}
	return a, nil
}

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// ValidID reports whether id is a 12-digit AWS account id.
func ValidID(id string) bool { return accountIDPattern.MatchString(id) }

// MaxNameLength bounds an account's display name.
const MaxNameLength = 50

// Registration is an admin's request to add an account from the Entry OU.
type Registration struct {
	AccountID string
	Email     string
	Name      string
}

// Protected are the accounts that may never join the pool: the
// Organizations management account, the IAM Identity Center account and
// the hub account.
type Protected struct {
	ManagementAccountID string
	IDCAccountID        string
	HubAccountID        string
}

// Validate checks a registration field by field and refuses the
// protected accounts.
func (r Registration) Validate(p Protected) error {
	var f fault.Fields
	switch {
	case !ValidID(r.AccountID):
		f.Add("awsAccountId", "must be 12 digits")
	case r.AccountID == p.ManagementAccountID:
		f.Add("awsAccountId", "is the Organizations management account and cannot join the pool")
	case r.AccountID == p.IDCAccountID:
		f.Add("awsAccountId", "is the IAM Identity Center account and cannot join the pool")
	case r.AccountID == p.HubAccountID:
		f.Add("awsAccountId", "is the hub account and cannot join the pool")
	}
	if r.Email != "" && !lease.ValidEmail(r.Email) {
		f.Add("email", "must be an email address")
	}
	if len(r.Name) > MaxNameLength {
		f.Add("name", "must be at most %d characters", MaxNameLength)
	}
	return f.Err()
}
