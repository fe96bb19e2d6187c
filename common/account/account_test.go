package account

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

// allowed is the expected move table, pair by pair.
var allowed = map[[2]OU]bool{
	{Entry, CleanUp}:        true,
	{CleanUp, Available}:    true,
	{CleanUp, Quarantine}:   true,
	{Available, Active}:     true,
	{Available, Quarantine}: true,
	{Available, Exit}:       true,
	{Active, Frozen}:        true,
	{Active, CleanUp}:       true,
	{Active, Quarantine}:    true,
	{Active, Exit}:          true,
	{Frozen, Active}:        true,
	{Frozen, CleanUp}:       true,
	{Frozen, Quarantine}:    true,
	{Frozen, Exit}:          true,
	{Quarantine, CleanUp}:   true,
	{Quarantine, Exit}:      true,
}

func TestEveryAccountMovePair(t *testing.T) {
	if len(Statuses) != 5 || len(OUs) != 7 {
		t.Fatalf("want 5 statuses and 7 OUs, have %d and %d", len(Statuses), len(OUs))
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, from := range OUs {
		for _, to := range OUs {
			want := allowed[[2]OU{from, to}]
			verdict := "forbidden"
			if want {
				verdict = "allowed"
			}
			t.Run(fmt.Sprintf("%s to %s is %s", from, to, verdict), func(t *testing.T) {
				if got := CanMove(from, to); got != want {
					t.Fatalf("CanMove = %v, want %v", got, want)
				}
				if !from.IsStatus() {
					return // Entry has no row to move
				}
				a := Account{
					ID:              "111122223333",
					Status:          from,
					Lease:           &lease.Key{UserEmail: "a@example.com", UUID: "u"},
					CleanupFailures: 2,
				}
				got, err := a.Move(to, now)
				if want && to.IsStatus() {
					if err != nil || got.Status != to || !got.StatusChangedAt.Equal(now) {
						t.Fatalf("Move = %+v, %v", got, err)
					}
					if to == Available && (got.CleanupFailures != 0 || !got.LastCleanedAt.Equal(now)) {
						t.Fatalf("entering Available did not record the cleanup: %+v", got)
					}
					if (got.Lease != nil) != (to == Active || to == Frozen) {
						t.Fatalf("lease reference %v after moving to %s", got.Lease, to)
					}
					return
				}
				// Exit is a move but not a status: the row is deleted instead.
				if !errors.Is(err, fault.Conflict) || got.Status != from {
					t.Fatalf("Move = %+v, %v; want a conflict and no change", got, err)
				}
			})
		}
	}
}

func TestRegistrationValidation(t *testing.T) {
	p := Protected{ManagementAccountID: "000000000001", IDCAccountID: "000000000002", HubAccountID: "000000000003"}
	tests := []struct {
		name  string
		reg   Registration
		field string
	}{
		{
			"a 12-digit account with email and name is valid",
			Registration{"123456789012", "pool1@example.com", "pool-1"},
			"",
		},
		{"an 11-digit account id names awsAccountId", Registration{AccountID: "12345678901"}, "awsAccountId"},
		{"a non-numeric account id names awsAccountId", Registration{AccountID: "12345678901x"}, "awsAccountId"},
		{"the management account names awsAccountId", Registration{AccountID: "000000000001"}, "awsAccountId"},
		{"the identity center account names awsAccountId", Registration{AccountID: "000000000002"}, "awsAccountId"},
		{"the hub account names awsAccountId", Registration{AccountID: "000000000003"}, "awsAccountId"},
		{"a malformed email names email", Registration{AccountID: "123456789012", Email: "x"}, "email"},
		{
			"a 51-character name names name",
			Registration{AccountID: "123456789012", Name: string(make([]byte, 51))},
			"name",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.reg.Validate(p)
			if (tc.field == "") != (err == nil) || (tc.field != "" && !fault.Has(err, tc.field)) {
				t.Fatalf("want field %q, got %v", tc.field, err)
			}
		})
	}
}

// created is the expected creation table: the status a row may be created
// in, by the OU the account is found in.
var created = map[OU]Status{
	Entry:      CleanUp,
	Available:  Quarantine,
	Active:     Quarantine,
	Frozen:     Quarantine,
	CleanUp:    Quarantine,
	Quarantine: Quarantine,
}

func TestEveryRowCreationPair(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, foundIn := range OUs {
		for _, status := range Statuses {
			want := created[foundIn] == status
			verdict := "forbidden"
			if want {
				verdict = "allowed"
			}
			t.Run(
				fmt.Sprintf("a row in %s for an account found in %s is %s", status, foundIn, verdict),
				func(t *testing.T) {
					if got := CanCreate(foundIn, status); got != want {
						t.Fatalf("CanCreate = %v, want %v", got, want)
					}
					a, err := New("111122223333", foundIn, status, now)
					if want {
						if err != nil || a.Status != status || a.ID != "111122223333" || !a.CreatedAt.Equal(now) ||
							!a.StatusChangedAt.Equal(now) {
							t.Fatalf("New = %+v, %v", a, err)
						}
						if foundIn != status && !CanMove(foundIn, status) {
							t.Fatalf("the creation is not a move of the move table")
						}
						return
					}
					if !errors.Is(err, fault.Conflict) {
						t.Fatalf("New = %+v, %v; want a conflict", a, err)
					}
					for _, name := range []string{string(foundIn), string(status)} {
						if !strings.Contains(err.Error(), name) {
							t.Errorf("error %q does not name %s", err, name)
						}
					}
				},
			)
		}
	}
	t.Run("only the created statuses are creatable", func(t *testing.T) {
		for _, s := range Statuses {
			if got, want := Creatable(s), s == CleanUp || s == Quarantine; got != want {
				t.Errorf("Creatable(%s) = %v, want %v", s, got, want)
			}
		}
	})
}

func TestPathsFollowTheMoveTable(t *testing.T) {
	tests := []struct {
		name     string
		from, to OU
		want     []OU
	}{
		{"staying put takes no move", Active, Active, nil},
		{"an allowed move is one step", Available, Active, []OU{Active}},
		{
			"a registered account cleaned before it left Entry passes through CleanUp",
			Entry,
			Available,
			[]OU{CleanUp, Available},
		},
		{
			"an account back from Active to Available passes through CleanUp",
			Active,
			Available,
			[]OU{CleanUp, Available},
		},
		{"Available to Frozen passes through Active", Available, Frozen, []OU{Active, Frozen}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Path(tt.from, tt.to)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("Path = %v, %v; want %v", got, err, tt.want)
			}
			at := tt.from
			for _, o := range got {
				if !CanMove(at, o) {
					t.Fatalf("step %s to %s is not an allowed move", at, o)
				}
				at = o
			}
		})
	}
	for _, tt := range []struct {
		name     string
		from, to OU
	}{
		{"nothing leaves Exit", Exit, Available},
		{"nothing goes back to Entry", Available, Entry},
	} {
		t.Run(tt.name+" and the error names both OUs", func(t *testing.T) {
			_, err := Path(tt.from, tt.to)
			if !errors.Is(err, fault.Conflict) || !strings.Contains(err.Error(), string(tt.from)) ||
				!strings.Contains(err.Error(), string(tt.to)) {
				t.Fatalf("Path = %v", err)
			}
		})
	}
}
