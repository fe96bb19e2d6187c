package e2e

import (
	"net/http"
	"sync"
	"testing"

	"github.com/isb-go/isb/cmd/localmode"
	"github.com/isb-go/isb/common/names"
)

func TestALeaseRunsFromRequestThroughBudgetToACleanAvailableAccount(t *testing.T) {
	user, manager, admin := as(t, "user@example.com"), as(t, "manager@example.com"), as(t, "admin@example.com")
	tpl := template(t, map[string]any{"name": "e2e budget", "maxSpend": 20, "leaseDurationInHours": 24,
		"requiresApproval": false,
		"budgetThresholds": []map[string]any{{"dollarsSpent": 10, "action": "ALERT"}}})

	l := user.request(tpl)
	if l.Status != "Active" || l.AccountID == "" {
		t.Fatalf("an auto-approved request answered %+v, want Active with an account", l)
	}
	assignmentsAre(t, l.AccountID, 1)
	mailTo(t, "user@example.com", "your lease was approved")

	if _, err := localmode.AddSpend(t.Context(), platform.Emulator(), l.AccountID, 12); err != nil {
		t.Fatal(err)
	}
	if err := platform.RunNow(t.Context(), names.LeaseMonitorFunction); err != nil {
		t.Fatalf("lease monitoring: %v", err)
	}
	mailTo(t, "user@example.com", "your lease has spent")
	user.leaseIs(l.LeaseID, "Active")

	if _, err := localmode.AddSpend(t.Context(), platform.Emulator(), l.AccountID, 10); err != nil {
		t.Fatal(err)
	}
	if err := platform.RunNow(t.Context(), names.LeaseMonitorFunction); err != nil {
		t.Fatalf("lease monitoring: %v", err)
	}
	manager.leaseIs(l.LeaseID, "BudgetExceeded")
	assignmentsAre(t, l.AccountID, 0)
	mailTo(t, "user@example.com", "ended (BudgetExceeded)")

	a := admin.accountIs(l.AccountID, "Available")
	if a.LastCleanedAt == nil {
		t.Errorf("account %s is Available without a recorded cleanup", a.ID)
	}
}

func TestTwentyConcurrentRequestsGetTheFiveAccountsAndTheRestWaitWithRetryAfter(t *testing.T) {
	tpl := autoTemplate(t, "e2e rush", 10, 24)
	people := []*client{as(t, "user@example.com"), as(t, "manager@example.com"), as(t, "admin@example.com")}

	replies := make([]reply, 20)
	var wg sync.WaitGroup
	for i := range replies {
		wg.Go(func() {
			replies[i] = people[i%len(people)].call(http.MethodPost, "/leases",
				map[string]any{"leaseTemplateUuid": tpl})
		})
	}
	wg.Wait()

	var granted []leaseView
	held := map[string]bool{}
	for _, r := range replies {
		switch r.Status {
		case http.StatusCreated:
			var l leaseView
			if err := jsonData(r, &l); err != nil {
				t.Fatal(err)
			}
			if held[l.AccountID] {
				t.Errorf("account %s granted twice", l.AccountID)
			}
			held[l.AccountID] = true
			granted = append(granted, l)
		case http.StatusConflict:
			if r.RetryAfter == "" {
				t.Errorf("a refused request has no Retry-After: %s", r.raw)
			}
		default:
			t.Errorf("a request answered HTTP %d %s, want 201 or 409", r.Status, r.raw)
		}
	}
	if len(granted) != len(platform.Accounts()) {
		t.Fatalf("%d requests granted, want exactly %d (one per account)", len(granted), len(platform.Accounts()))
	}

	manager, admin := people[1], people[2]
	for _, l := range granted {
		manager.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/terminate", nil, nil)
	}
	for _, id := range platform.Accounts() {
		admin.accountIs(id, "Available")
	}
}

func TestManagersApproveDenyFreezeAndUnfreezeAndTheLesseeEndsTheLease(t *testing.T) {
	user, manager, admin := as(t, "user@example.com"), as(t, "manager@example.com"), as(t, "admin@example.com")
	tpl := template(t, map[string]any{"name": "e2e reviewed", "maxSpend": 10, "leaseDurationInHours": 24,
		"requiresApproval": true})

	var denied leaseView
	user.must(http.StatusCreated, http.MethodPost, "/leases", map[string]any{"leaseTemplateUuid": tpl}, &denied)
	if denied.Status != "PendingApproval" {
		t.Fatalf("a request on a reviewed template is %s, want PendingApproval", denied.Status)
	}
	manager.must(http.StatusOK, http.MethodPost, "/leases/"+denied.LeaseID+"/review",
		map[string]any{"action": "Deny"}, nil)
	user.leaseIs(denied.LeaseID, "ApprovalDenied")
	mailTo(t, "user@example.com", "your lease request was denied")

	l := user.request(tpl)
	manager.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/review",
		map[string]any{"action": "Approve"}, nil)
	user.leaseIs(l.LeaseID, "Active")
	user.must(http.StatusOK, http.MethodGet, "/leases/"+l.LeaseID, nil, &l)
	assignmentsAre(t, l.AccountID, 1)

	manager.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/freeze", nil, nil)
	user.leaseIs(l.LeaseID, "Frozen")
	assignmentsAre(t, l.AccountID, 0)
	manager.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/unfreeze", nil, nil)
	user.leaseIs(l.LeaseID, "Active")
	assignmentsAre(t, l.AccountID, 1)

	user.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/terminate", nil, nil)
	user.leaseIs(l.LeaseID, "ManuallyTerminated")
	assignmentsAre(t, l.AccountID, 0)
	admin.accountIs(l.AccountID, "Available")
}
