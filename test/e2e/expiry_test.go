package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/isb-go/isb/common/names"
)

func TestALeasePastItsDurationExpiresOnTheNextMonitoringRunAndItsAccountIsCleaned(t *testing.T) {
	user, admin := as(t, "user@example.com"), as(t, "admin@example.com")
	// 0.0005 h is under two seconds: the lease expires while the test
	// runs lease monitoring, as the hourly schedule would.
	tpl := autoTemplate(t, "e2e expiry", 50, 0.0005)
	l := user.request(tpl)
	if l.Status != "Active" {
		t.Fatalf("lease is %s, want Active", l.Status)
	}
	eventually(t, time.Minute, func() string {
		if err := platform.RunNow(t.Context(), names.LeaseMonitorFunction); err != nil {
			return "lease monitoring: " + err.Error()
		}
		r := user.call(http.MethodGet, "/leases/"+l.LeaseID, nil)
		var got leaseView
		if err := jsonData(r, &got); err != nil || got.Status != "Expired" {
			return fmt.Sprintf("lease %s is %s, want Expired", l.LeaseID, r.raw)
		}
		return ""
	})
	assignmentsAre(t, l.AccountID, 0)
	admin.accountIs(l.AccountID, "Available")
}
