package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/isb-go/isb/cmd/localmode"
	"github.com/isb-go/isb/common/monitor"
	"github.com/isb-go/isb/common/names"
)

func TestARequestLeftPendingPastTheApprovalTimeoutIsDeniedByTheNextMonitoringRunOnce(t *testing.T) {
	user := as(t, "user@example.com")
	tpl := template(t, map[string]any{"name": "e2e approval timeout", "maxSpend": 10, "leaseDurationInHours": 24,
		"requiresApproval": true})
	var l leaseView
	user.must(http.StatusCreated, http.MethodPost, "/leases", map[string]any{"leaseTemplateUuid": tpl}, &l)
	if l.Status != "PendingApproval" {
		t.Fatalf("a request on a reviewed template is %s, want PendingApproval", l.Status)
	}

	// Within the timeout (one hour, set in TestMain) a run leaves it alone.
	monitorRun(t)
	if got := leaseNow(user, l.LeaseID); got.Status != "PendingApproval" {
		t.Fatalf("a request pending for less than the timeout is %s after monitoring, want PendingApproval",
			got.Status)
	}

	platform.Clock().Advance(time.Hour + time.Minute)
	if got := monitorRun(t); got.PendingExpired < 1 {
		t.Errorf("the run after the timeout expired %d pending requests, want at least this one", got.PendingExpired)
	}
	user.leaseIs(l.LeaseID, "Expired")
	eventually(t, time.Minute, func() string {
		if n := timeoutDenials(t); n != 1 {
			return fmt.Sprintf("%d mails to user@example.com say the request was denied by %s, want 1", n,
				monitor.ApprovalTimeoutDenier)
		}
		return ""
	})

	// A second run finds nothing to do and writes nothing.
	before := user.call(http.MethodGet, "/leases/"+l.LeaseID, nil).Data
	if got := monitorRun(t); got.PendingExpired != 0 {
		t.Errorf("a second run expired %d requests again, want 0", got.PendingExpired)
	}
	if after := user.call(http.MethodGet, "/leases/"+l.LeaseID, nil).Data; !bytes.Equal(before, after) {
		t.Errorf("a second run changed the lease:\nbefore %s\nafter  %s", before, after)
	}
	if n := timeoutDenials(t); n != 1 {
		t.Errorf("%d denial mails after the second run, want still 1", n)
	}
}

// monitorRun runs lease monitoring once and returns its summary.
func monitorRun(t *testing.T) monitor.Summary {
	t.Helper()
	out, err := platform.Run(t.Context(), names.LeaseMonitorFunction)
	if err != nil {
		t.Fatalf("lease monitoring: %v", err)
	}
	var s monitor.Summary
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("lease monitoring answered %s: %v", out, err)
	}
	return s
}

func leaseNow(c *client, id string) leaseView {
	c.t.Helper()
	var l leaseView
	c.must(http.StatusOK, http.MethodGet, "/leases/"+id, nil, &l)
	return l
}

// timeoutDenials counts the mails telling user@example.com that the
// approval timeout denied a request.
func timeoutDenials(t *testing.T) int {
	t.Helper()
	sent, err := localmode.SentEmails(t.Context(), platform.Emulator())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range sent {
		to := m.RawDestinations
		for _, l := range m.Destinations {
			to = append(to, l...)
		}
		for _, a := range to {
			if a == "user@example.com" && strings.Contains(m.Subject, "your lease request was denied") &&
				strings.Contains(m.Body, monitor.ApprovalTimeoutDenier) {
				n++
			}
		}
	}
	return n
}
