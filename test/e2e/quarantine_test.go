package e2e

import (
	"net/http"
	"testing"
)

func TestThreeFailedCleanupsQuarantineTheAccountUntilAnAdministratorRetries(t *testing.T) {
	user, admin := as(t, "user@example.com"), as(t, "admin@example.com")
	tpl := autoTemplate(t, "e2e quarantine", 10, 24)
	l := user.request(tpl)

	platform.FailNextCleanups(3)
	user.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/terminate", nil, nil)
	a := admin.accountIs(l.AccountID, "Quarantine")
	var failures struct {
		CleanupFailures int `json:"cleanupFailures"`
	}
	admin.must(http.StatusOK, http.MethodGet, "/accounts/"+a.ID, nil, &failures)
	if failures.CleanupFailures != 3 {
		t.Errorf("a quarantined account counts %d failed cleanups, want 3", failures.CleanupFailures)
	}
	mailTo(t, "admin@example.com", "cleanup of account "+a.ID+" failed")

	admin.must(http.StatusOK, http.MethodPost, "/accounts/"+a.ID+"/retryCleanup", nil, nil)
	admin.accountIs(a.ID, "Available")
}
