package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/isb-go/isb/cmd/localmode"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/all"
)

// A platform of its own, with CodeBuild's concurrent-build quota at one:
// its start registers three accounts at once, and each must be cleaned
// before the platform is ready.
func TestCleanupsBeyondTheCodeBuildQuotaWaitTheirTurnAndNeverCountAsFailures(t *testing.T) {
	p, err := localmode.Start(t.Context(), localmode.Options{
		Accounts: 3, Builds: 1, Port: -1, Functions: all.Functions, NukeBinary: nukeBinary,
		NukeConfig: nukeTemplate, ReadyTimeout: 4 * time.Minute, Log: logs,
	})
	if err != nil {
		t.Fatalf("a platform with a build quota of one did not clean its three accounts: %v\nlog (tail):\n%s", err,
			logs.Tail(12<<10))
	}
	defer p.Stop()

	s := p.CodeBuild()
	if s.Peak != 1 {
		t.Errorf("%d builds ran at once, want at most the quota of 1", s.Peak)
	}
	if s.Refused == 0 {
		t.Errorf("no build start was refused for the quota (%+v): the test did not reach it", s)
	}
	admin, err := p.Token(t.Context(), "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range p.Accounts() {
		status, body, err := p.Call(t.Context(), admin, http.MethodGet, "/accounts/"+id, nil)
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET /accounts/%s: %d %s %v", id, status, body, err)
		}
		var a struct {
			Data struct {
				Status          string `json:"status"`
				CleanupFailures int    `json:"cleanupFailures"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatal(err)
		}
		if a.Data.Status != "Available" || a.Data.CleanupFailures != 0 {
			t.Errorf("account %s is %s with %d failed cleanups, want Available with none", id, a.Data.Status,
				a.Data.CleanupFailures)
		}
	}
	if n, err := p.DeadLetters(t.Context(), names.CleanupBuildQueue); err != nil || n != 0 {
		t.Errorf("%d build requests in the dead-letter queue (%v), want none", n, err)
	}
}
