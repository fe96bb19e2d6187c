package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/isb-go/isb/common/names"
)

func TestASilentPipelinesLeaseIsReapedAndItsAccountCleanedWhileABeatingOneSurvives(t *testing.T) {
	ci, admin := as(t, "user@example.com"), as(t, "admin@example.com")
	tpl := template(t, map[string]any{"name": "e2e heartbeat", "maxSpend": 50, "leaseDurationInHours": 24,
		"requiresApproval": false, "maxHeartbeatTimeoutMinutes": 10})
	var silent, beating leaseView
	body := map[string]any{"leaseTemplateUuid": tpl, "heartbeatTimeoutMinutes": 2}
	ci.must(http.StatusCreated, http.MethodPost, "/leases", body, &silent)
	ci.must(http.StatusCreated, http.MethodPost, "/leases", body, &beating)

	// Three minutes pass; the beating pipeline beat a minute ago.
	platform.Clock().Advance(2 * time.Minute)
	ci.must(http.StatusOK, http.MethodPost, "/leases/"+beating.LeaseID+"/heartbeat", nil, nil)
	platform.Clock().Advance(time.Minute)
	if err := platform.RunNow(t.Context(), names.ReaperFunction); err != nil {
		t.Fatal(err)
	}
	ci.leaseIs(silent.LeaseID, "Expired")
	ci.leaseIs(beating.LeaseID, "Active")
	r := ci.call(http.MethodPost, "/leases/"+silent.LeaseID+"/heartbeat", nil)
	if r.Status != http.StatusConflict {
		t.Fatalf("a beat on the reaped lease: %d %s", r.Status, r.raw)
	}
	assignmentsAre(t, silent.AccountID, 0)
	admin.accountIs(silent.AccountID, "Available")
	eventually(t, time.Minute, func() string {
		if err := platform.RunNow(t.Context(), names.ReaperFunction); err != nil {
			return err.Error()
		}
		var l leaseView
		ci.must(http.StatusOK, http.MethodGet, "/leases/"+beating.LeaseID, nil, &l)
		if l.Status != "Active" {
			return fmt.Sprintf("the beating lease is %s", l.Status)
		}
		return ""
	})
	// Leave the pool as found: the later tests count its five accounts.
	ci.must(http.StatusOK, http.MethodPost, "/leases/"+beating.LeaseID+"/terminate", nil, nil)
	admin.accountIs(beating.AccountID, "Available")
}
