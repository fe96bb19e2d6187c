package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/isb-go/isb/common/names"
)

// orgMove moves an account as someone outside the platform would: to the
// pool OU named ou, or to the root when ou is "".
func orgMove(t *testing.T, id, ou string) {
	t.Helper()
	org := organizations.NewFromConfig(platform.AWS())
	parents, err := org.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	from := aws.ToString(parents.Parents[0].Id)
	roots, err := org.ListRoots(t.Context(), &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	to := aws.ToString(roots.Roots[0].Id)
	if ou != "" {
		to = ""
		pool, err := org.ListOrganizationalUnitsForParent(t.Context(),
			&organizations.ListOrganizationalUnitsForParentInput{ParentId: roots.Roots[0].Id})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pool.OrganizationalUnits {
			kids, err := org.ListOrganizationalUnitsForParent(t.Context(),
				&organizations.ListOrganizationalUnitsForParentInput{ParentId: p.Id})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range kids.OrganizationalUnits {
				if aws.ToString(k.Name) == ou {
					to = aws.ToString(k.Id)
				}
			}
		}
		if to == "" {
			t.Fatalf("no pool OU %s", ou)
		}
	}
	if _, err := org.MoveAccount(t.Context(), &organizations.MoveAccountInput{AccountId: aws.String(id),
		SourceParentId: aws.String(from), DestinationParentId: aws.String(to)}); err != nil {
		t.Fatal(err)
	}
}

func driftScan(t *testing.T) {
	t.Helper()
	if err := platform.RunNow(t.Context(), names.DriftMonitorFunction); err != nil {
		t.Fatalf("drift scan: %v", err)
	}
}

// moveAvailable waits for the i-th pool account to be Available, then moves
// it to the OU ou ("" is the root) as someone outside the platform would,
// and returns its id.
func moveAvailable(t *testing.T, admin *client, i int, ou string) string {
	t.Helper()
	id := platform.Accounts()[i]
	admin.accountIs(id, "Available")
	orgMove(t, id, ou)
	return id
}

func TestAnAccountMovedToAnotherPoolOUIsQuarantinedOnTheSecondDriftScan(t *testing.T) {
	admin := as(t, "admin@example.com")
	id := moveAvailable(t, admin, 0, "Frozen")

	// A scan within the grace after the account's last status change
	// leaves it alone; the first scan after it notes the drift and the
	// account stays Available until the next scan confirms it.
	eventually(t, time.Minute, func() string {
		driftScan(t)
		var a struct {
			Status          string `json:"status"`
			DriftAtLastScan bool   `json:"driftAtLastScan"`
		}
		admin.must(http.StatusOK, http.MethodGet, "/accounts/"+id, nil, &a)
		if a.Status != "Available" {
			t.Fatalf("a scan quarantined the account before a second scan confirmed the drift: %+v", a)
		}
		if !a.DriftAtLastScan {
			return "the drift is not noted yet"
		}
		return ""
	})
	driftScan(t)
	admin.accountIs(id, "Quarantine")
	mailTo(t, "admin@example.com", "account "+id+" drifted")

	admin.must(http.StatusOK, http.MethodPost, "/accounts/"+id+"/retryCleanup", nil, nil)
	admin.accountIs(id, "Available")
}

func TestAnAccountThatLeftThePoolIsForgottenAndCanBeRegisteredAgain(t *testing.T) {
	admin := as(t, "admin@example.com")
	id := moveAvailable(t, admin, 1, "")

	eventually(t, time.Minute, func() string {
		driftScan(t)
		if r := admin.call(http.MethodGet, "/accounts/"+id, nil); r.Status != http.StatusNotFound {
			return fmt.Sprintf("GET /accounts/%s answers HTTP %d %s, want 404 once the account left the pool", id,
				r.Status, r.raw)
		}
		return ""
	})

	orgMove(t, id, "Entry")
	admin.must(http.StatusCreated, http.MethodPost, "/accounts", map[string]string{"awsAccountId": id}, nil)
	admin.accountIs(id, "Available")
}

func TestAnEjectedAccountLeavesThePoolAndCanBeRegisteredAgain(t *testing.T) {
	admin := as(t, "admin@example.com")
	id := platform.Accounts()[2]
	admin.accountIs(id, "Available")
	admin.must(http.StatusOK, http.MethodPost, "/accounts/"+id+"/eject", nil, nil)
	eventually(t, time.Minute, func() string {
		if r := admin.call(http.MethodGet, "/accounts/"+id, nil); r.Status != http.StatusNotFound {
			return fmt.Sprintf("GET /accounts/%s answers HTTP %d %s, want 404 once ejected", id, r.Status, r.raw)
		}
		return ""
	})
	orgMove(t, id, "Entry")
	admin.must(http.StatusCreated, http.MethodPost, "/accounts", map[string]string{"awsAccountId": id}, nil)
	admin.accountIs(id, "Available")
}
