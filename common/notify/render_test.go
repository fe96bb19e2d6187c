package notify

import (
	"strings"
	"testing"

	"github.com/isb-go/isb/common/events"
)

func TestEveryFixtureRenders(t *testing.T) {
	for _, ev := range fixtures {
		t.Run(ev.DetailType()+"/"+reasonOf(ev), func(t *testing.T) {
			m, err := Render(ev, "https://sandbox.example.com")
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") || strings.Contains(m.Subject, "<no value>") {
				t.Errorf("bad subject %q", m.Subject)
			}
			for part, body := range map[string]string{"html": m.HTML, "text": m.Text} {
				if strings.TrimSpace(body) == "" || strings.Contains(body, "<no value>") ||
					strings.Contains(body, "%!") {
					t.Errorf("bad %s body:\n%s", part, body)
				}
				if a := events.AccountOf(ev); a != "" && !strings.Contains(body, a) {
					t.Errorf("the %s body does not name account %s:\n%s", part, a, body)
				}
			}
		})
	}
}

func TestRender(t *testing.T) {
	script := `<script>alert("x")</script>`
	tests := []struct {
		name      string
		ev        events.Event
		webApp    string
		inHTML    []string
		notInHTML []string
		inText    []string
	}{
		{"a comment is escaped in the HTML body and kept as is in the text body",
			events.LeaseRequested{LeaseID: k, Comments: script},
			"", []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"}, []string{"<script>"}, []string{script}},
		{"a termination comment is escaped in the HTML body",
			events.LeaseTerminated{
				LeaseID:   k,
				AccountID: "222222222222",
				Reason:    events.TerminatedWithComment(events.TerminationManual, script),
			},
			"", []string{"&lt;script&gt;"}, []string{"<script>"}, []string{script}},
		{"links point to the web app when its URL is set",
			events.LeaseRequested{LeaseID: k}, "https://sandbox.example.com/",
			[]string{
				`href="https://sandbox.example.com/approvals"`,
			}, nil, []string{"https://sandbox.example.com/approvals"}},
		{"links are left out when the web app URL is empty",
			events.LeaseApproved{LeaseID: k, AccountID: "222222222222", ApprovedBy: events.AutoApproved}, "",
			[]string{"approved automatically"}, []string{"href"}, []string{"approved automatically"}},
		{"a missing budget reads as no limit",
			events.LeaseTerminated{
				LeaseID:   k,
				AccountID: "222222222222",
				Reason:    events.TerminatedBudgetExceeded(nil, 51),
			}, "",
			[]string{"$51.00 spent of no limit"}, nil, []string{"$51.00 spent of no limit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Render(tc.ev, tc.webApp)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.inHTML {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML body lacks %q:\n%s", s, m.HTML)
				}
			}
			for _, s := range tc.notInHTML {
				if strings.Contains(m.HTML, s) {
					t.Errorf("HTML body contains %q:\n%s", s, m.HTML)
				}
			}
			for _, s := range tc.inText {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text body lacks %q:\n%s", s, m.Text)
				}
			}
		})
	}
}

// stringCase is an input and what a string function makes of it.
type stringCase struct{ name, in, want string }

// wantEach fails unless f (named fname) makes each case's want of its in.
func wantEach(t *testing.T, fname string, f func(string) string, tests []stringCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := f(tc.in); got != tc.want {
				t.Errorf("%s(%q) = %q, want %q", fname, tc.in, got, tc.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	wantEach(t, "oneLine", oneLine, []stringCase{
		{"a subject on one line is kept", "Lease approved", "Lease approved"},
		{"line breaks and repeated spaces become one space", "Lease\r\n  approved\n", "Lease approved"},
		{"leading and trailing space is dropped", "  Lease approved ", "Lease approved"},
	})
}
