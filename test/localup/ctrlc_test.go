package localup

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCtrlCStopsAFreshLocalModeAndLeavesNothingBehind(t *testing.T) {
	runtime := t.TempDir()
	u := start(t, runtime)
	if _, err := os.Stat(filepath.Join(runtime, "local.json")); err != nil {
		t.Fatalf("no runtime file for isb local token/spend/mail while running: %v", err)
	}
	u.interrupt()
	if _, err := os.Stat(filepath.Join(runtime, "local.json")); !os.IsNotExist(err) {
		t.Errorf("runtime file left after the stop (err %v)", err)
	}
	if u.sawLine("state saved") {
		t.Errorf("a state was saved although none is kept:\n%s", u.stdout)
	}
}

// lease is the part of a lease the test reads.
type lease struct {
	LeaseID      string `json:"leaseId"`
	Status       string `json:"status"`
	AwsAccountID string `json:"awsAccountId"`
}

func TestLocalModeKeepsItsStateAcrossACtrlC(t *testing.T) {
	keep := filepath.Join(t.TempDir(), "state")
	runtime := t.TempDir()

	first := start(t, runtime, "ISB_LOCAL_STATE="+keep)
	manager, user := first.token("manager@example.com"), first.token("user@example.com")
	var tmpl struct {
		UUID string `json:"uuid"`
	}
	if code := first.call(manager, http.MethodPost, "/leaseTemplates", map[string]any{"name": "kept",
		"maxSpend": 20, "leaseDurationInHours": 24, "requiresApproval": false}, &tmpl); code != http.StatusCreated {
		t.Fatalf("create template: HTTP %d", code)
	}
	var granted lease
	if code := first.call(user, http.MethodPost, "/leases", map[string]any{"leaseTemplateUuid": tmpl.UUID},
		&granted); code != http.StatusCreated || granted.Status != "Active" || granted.AwsAccountID == "" {
		t.Fatalf("request a lease: HTTP %d, %+v; want 201 and Active with an account", code, granted)
	}
	first.interrupt()
	if !first.sawLine("state saved in " + keep) {
		t.Fatalf("no \"state saved\" line after the stop:\n%s", first.stdout)
	}

	second := start(t, runtime, "ISB_LOCAL_STATE="+keep)
	if !second.sawLine("(restored from " + keep) {
		t.Errorf("the second start does not say it restored the state:\n%s", second.stdout)
	}
	if second.started >= first.started {
		t.Logf("note: the restored start (%s) was not faster than the fresh one (%s)", second.started,
			first.started)
	}
	user, admin := second.token("user@example.com"), second.token("admin@example.com")
	var got lease
	if code := second.call(user, http.MethodGet, "/leases/"+granted.LeaseID, nil, &got); code != http.StatusOK {
		t.Fatalf("the lease after the restart: HTTP %d", code)
	}
	if got.Status != "Active" || got.AwsAccountID != granted.AwsAccountID {
		t.Fatalf("after the restart the lease is %s on %q, want Active on %s", got.Status, got.AwsAccountID,
			granted.AwsAccountID)
	}
	if code := second.call(user, http.MethodPost, "/leases/"+granted.LeaseID+"/terminate", nil,
		nil); code/100 != 2 {
		t.Fatalf("terminate the lease: HTTP %d", code)
	}
	waitAccount(t, second, admin, granted.AwsAccountID, "Available", 3*time.Minute)
	second.interrupt()
}

// waitAccount polls the account through the API until it has status want.
func waitAccount(t *testing.T, u *up, token, id, want string, within time.Duration) {
	t.Helper()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(within)
	var acc struct {
		Status string `json:"status"`
	}
	for {
		if code := u.call(token, http.MethodGet, "/accounts/"+id, nil, &acc); code == http.StatusOK &&
			acc.Status == want {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("account %s is %s after %s, want %s\nstderr tail:\n%s", id, acc.Status, within, want,
				u.stderr)
		}
	}
}
