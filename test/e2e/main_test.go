// Package e2e follows accounts round the whole platform in local mode
// (cmd/localmode): one instance for the package, driven through the REST
// API only, scheduled jobs run by the tests (Platform.RunNow) instead of
// tickers, the real aws-nuke cleaning every returned account.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isb-go/isb/cmd/localmode"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/functions/all"
)

// platform is the package's local mode instance.
var platform *localmode.Platform

// logs holds the platform's log; a failing test prints its tail.
var logs = &syncBuffer{}

// nukeBinary and nukeTemplate are what a test starting a platform of its
// own gives it.
var (
	nukeBinary   string
	nukeTemplate []byte
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	_ = os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	nuke := os.Getenv("ISB_AWS_NUKE")
	if nuke == "" {
		nuke = filepath.Join("..", "..", "build", "aws-nuke", "aws-nuke")
	}
	template, err := os.ReadFile(filepath.Join("..", "..", "nuke-config", "nuke-config.yaml"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: read the aws-nuke configuration:", err)
		return 1
	}
	nukeBinary, nukeTemplate = nuke, template
	if path := os.Getenv("ISB_E2E_LOG"); path != "" {
		if f, err := os.Create(path); err == nil {
			logs.file = f
			defer func() { _ = f.Close() }()
		}
	}
	// The handlers log through slog's default logger, as in Lambda.
	slog.SetDefault(slog.New(slog.NewJSONHandler(logs, nil)))
	start := time.Now()
	p, err := localmode.Start(context.Background(), localmode.Options{
		Accounts: 5, Port: -1, Functions: all.Functions, NukeBinary: nuke, NukeConfig: template,
		ReadyTimeout: 5 * time.Minute, Log: logs,
		// Three people share five accounts in the concurrency test; the
		// per-user limit must not be what refuses them.
		// A request waits an hour for approval at most; the timeout test
		// moves the platform's clock past it.
		Global: func(g *config.Global) {
			g.Leases.MaxLeasesPerUser = 10
			g.Leases.PendingApprovalTimeoutHours = 1
			// The pipeline of the machine sign-in test, an IAM user it
			// creates in the emulator.
			g.Auth.MachineIdentities = []config.MachineIdentity{{Principal: pipelinePrincipal,
				Owner: "pipeline@example.com", MaxLeases: 2}}
		},
		// Drift leaves an account alone this long after a status change
		// (15 minutes when deployed); the drift test moves a freshly cleaned
		// account.
		DriftGrace: time.Second,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: local mode did not start: %v\nplatform log:\n%s\n", err, logs.Tail(16<<10))
		return 1
	}
	fmt.Fprintf(os.Stderr, "local mode ready in %s\n", time.Since(start).Round(100*time.Millisecond))
	platform = p
	defer p.Stop()
	return m.Run()
}

// syncBuffer is a log sink safe for the platform's goroutines.
type syncBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	file *os.File // ISB_E2E_LOG: the whole log, for debugging
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.file != nil {
		_, _ = b.file.Write(p)
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) Tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}

// client calls the API as one seeded person.
type client struct {
	t     testing.TB
	token string
}

func as(t testing.TB, email string) *client {
	t.Helper()
	tok, err := platform.Token(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, token: tok}
}

// reply is an API answer: status, Retry-After and the JSend data.
type reply struct {
	Status     int
	RetryAfter string
	JSend      string          `json:"status"`
	Data       json.RawMessage `json:"data"`
	raw        []byte
}

func (c *client) call(method, path string, body any) reply {
	c.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, platform.APIURL()+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	r := reply{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After"), raw: buf.Bytes()}
	_ = json.Unmarshal(buf.Bytes(), &r)
	r.Status = resp.StatusCode
	return r
}

// must calls and fails the test unless the answer has status want.
func (c *client) must(want int, method, path string, body any, into any) {
	c.t.Helper()
	r := c.call(method, path, body)
	if r.Status != want {
		c.t.Fatalf("%s %s: HTTP %d %s, want %d", method, path, r.Status, r.raw, want)
	}
	if into != nil {
		if err := json.Unmarshal(r.Data, into); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, r.Data, err)
		}
	}
}

// leaseView and accountView are the fields of the API's answers the tests
// read.
type leaseView struct {
	LeaseID   string `json:"leaseId"`
	Status    string `json:"status"`
	AccountID string `json:"awsAccountId"`
}

type accountView struct {
	ID            string     `json:"awsAccountId"`
	Status        string     `json:"status"`
	LastCleanedAt *time.Time `json:"lastCleanedAt"`
}

// eventually polls check every 200 ms until it returns "" or the deadline
// passes; check says what it is still waiting for.
func eventually(t testing.TB, within time.Duration, check func() string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		waiting := check()
		if waiting == "" {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("after %s: %s\nplatform log (tail):\n%s", within, waiting, logs.Tail(12<<10))
		case <-tick.C:
		}
	}
}

// request asks for a lease of the template tpl and returns it as created.
func (c *client) request(tpl string) leaseView {
	c.t.Helper()
	var l leaseView
	c.must(http.StatusCreated, http.MethodPost, "/leases", map[string]any{"leaseTemplateUuid": tpl}, &l)
	return l
}

func (c *client) leaseIs(id, want string) {
	c.t.Helper()
	eventually(c.t, time.Minute, func() string {
		var l leaseView
		c.must(http.StatusOK, http.MethodGet, "/leases/"+id, nil, &l)
		if l.Status != want {
			return fmt.Sprintf("lease %s is %s, want %s", id, l.Status, want)
		}
		return ""
	})
}

// accountIs waits for the account to reach status (cleanups run the real
// aws-nuke, so allow them time).
func (c *client) accountIs(id, want string) accountView {
	c.t.Helper()
	var a accountView
	eventually(c.t, 3*time.Minute, func() string {
		c.must(http.StatusOK, http.MethodGet, "/accounts/"+id, nil, &a)
		if a.Status != want {
			return fmt.Sprintf("account %s is %s, want %s", id, a.Status, want)
		}
		return ""
	})
	return a
}

// assignmentsAre waits until the account has n user assignments in
// Identity Center.
func assignmentsAre(t testing.TB, account string, n int) {
	t.Helper()
	eventually(t, time.Minute, func() string {
		got, err := platform.UserAssignments(t.Context(), account)
		if err != nil {
			return err.Error()
		}
		if got != n {
			return fmt.Sprintf("account %s has %d user assignments, want %d", account, got, n)
		}
		return ""
	})
}

// mailTo waits for a message to addr whose subject contains subject.
func mailTo(t testing.TB, addr, subject string) {
	t.Helper()
	eventually(t, time.Minute, func() string {
		sent, err := localmode.SentEmails(t.Context(), platform.Emulator())
		if err != nil {
			return err.Error()
		}
		var seen []string
		for _, m := range sent {
			var to []string
			for _, l := range m.Destinations {
				to = append(to, l...)
			}
			to = append(to, m.RawDestinations...)
			for _, a := range to {
				if a == addr && strings.Contains(m.Subject, subject) {
					return ""
				}
			}
			seen = append(seen, m.Subject)
		}
		return fmt.Sprintf("no mail to %s about %q among %q", addr, subject, seen)
	})
}

// template creates a lease template as the manager and returns its id.
func template(t testing.TB, body map[string]any) string {
	t.Helper()
	var out struct {
		UUID string `json:"uuid"`
	}
	as(t, "manager@example.com").must(http.StatusCreated, http.MethodPost, "/leaseTemplates", body, &out)
	return out.UUID
}

// autoTemplate creates a template that needs no approval, named name, with
// the budget maxSpend and the duration hours, and returns its id.
func autoTemplate(t testing.TB, name string, maxSpend, hours float64) string {
	t.Helper()
	return template(t, map[string]any{"name": name, "maxSpend": maxSpend, "leaseDurationInHours": hours,
		"requiresApproval": false})
}

func jsonData(r reply, into any) error { return json.Unmarshal(r.Data, into) }
