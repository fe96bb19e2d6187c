package config_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/isb-go/isb/common/config"
)

func TestDefaultGlobalHoldsTheDocumentedDefaults(t *testing.T) {
	got := config.DefaultGlobal()
	if got.TermsOfService == "" {
		t.Error("the default terms of service are empty")
	}
	got.TermsOfService = ""
	want := config.Global{
		MaintenanceMode: true,
		Leases: config.Leases{
			RequireMaxBudget:            true,
			MaxBudget:                   50,
			RequireMaxDuration:          true,
			MaxDurationHours:            168,
			MaxLeasesPerUser:            3,
			TTL:                         30,
			AccountReuseCooldownHours:   24,
			PendingApprovalTimeoutHours: 168,
			FourEyesReview:              true,
		},
		Cleanup: config.Cleanup{
			NumberOfFailedAttemptsToCancelCleanup:     3,
			WaitBeforeRetryFailedAttemptSeconds:       5,
			NumberOfSuccessfulAttemptsToFinishCleanup: 2,
			WaitBeforeRerunSuccessfulAttemptSeconds:   30,
			PassTimeoutMinutes:                        30,
			MaxConsecutiveCleanupFailures:             3,
		},
		Auth:         config.Auth{SessionDurationInMinutes: 60},
		Notification: config.Notification{EmailFrom: ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DefaultGlobal() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestEmbeddedGlobalDefaultsParseAndSetEveryKey(t *testing.T) {
	raw := config.DefaultGlobalYAML()
	g, err := config.ParseGlobal(raw)
	if err != nil {
		t.Fatalf("ParseGlobal(embedded defaults): %v", err)
	}
	if !reflect.DeepEqual(g, config.DefaultGlobal()) {
		t.Errorf("parsing the embedded file gives %+v, want DefaultGlobal()", g)
	}
	// The file is the operator documentation, so it must spell out every
	// key rather than lean on Go zero values.
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var all map[string]any
	b, _ := yaml.Marshal(config.DefaultGlobal())
	if err := yaml.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	for _, key := range leafKeys("", all) {
		if !hasKey(doc, key) {
			t.Errorf("defaults/global-config.yaml does not set %s", key)
		}
	}
}

func TestDefaultGlobalYAMLReturnsACopy(t *testing.T) {
	a := config.DefaultGlobalYAML()
	a[0] = 'X'
	if config.DefaultGlobalYAML()[0] == 'X' {
		t.Error("changing the returned bytes changed the embedded defaults")
	}
}

func TestParseGlobalFillsMissingKeysWithDefaults(t *testing.T) {
	def := config.DefaultGlobal()
	tests := []struct {
		name string
		yaml string
		want func(g *config.Global)
	}{
		{"an empty document is all defaults", "", func(*config.Global) {}},
		{"a document of comments is all defaults", "# nothing set\n", func(*config.Global) {}},
		{"a null section keeps its defaults", "leases:\n", func(*config.Global) {}},
		{"one key changes only that key", "leases:\n  maxBudget: 120\n", func(g *config.Global) {
			g.Leases.MaxBudget = 120
		}},
		{"false overrides a true default", "maintenanceMode: false\n", func(g *config.Global) {
			g.MaintenanceMode = false
		}},
		{"four-eyes review can be turned off", "leases: {fourEyesReview: false}\n", func(g *config.Global) {
			g.Leases.FourEyesReview = false
		}},
		{"zero overrides a non-zero default", "leases: {accountReuseCooldownHours: 0}\n", func(g *config.Global) {
			g.Leases.AccountReuseCooldownHours = 0
		}},
		{"a fractional budget is kept", "leases: {maxBudget: 12.5}\n", func(g *config.Global) {
			g.Leases.MaxBudget = 12.5
		}},
		{"keys in different sections combine", "cleanup: {passTimeoutMinutes: 45}\nnotification: {emailFrom: sandbox@example.com}\n", func(g *config.Global) {
			g.Cleanup.PassTimeoutMinutes = 45
			g.Notification.EmailFrom = "sandbox@example.com"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := config.ParseGlobal([]byte(tc.yaml))
			if err != nil {
				t.Fatalf("ParseGlobal: %v", err)
			}
			want := def
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseGlobalRejectsEachBrokenRule(t *testing.T) {
	wantRejected(t, config.ParseGlobal, []rejectCase{
		// Leases.
		{"negative max budget names leases.maxBudget", "leases: {maxBudget: -1}", "leases.maxBudget"},
		{"zero max budget while a budget is required names leases.maxBudget", "leases: {maxBudget: 0}", "leases.maxBudget"},
		{"infinite max budget names leases.maxBudget", "leases: {maxBudget: .inf}", "leases.maxBudget"},
		{"not-a-number max budget names leases.maxBudget", "leases: {maxBudget: .nan}", "leases.maxBudget"},
		{"negative max duration names leases.maxDurationHours", "leases: {maxDurationHours: -1}", "leases.maxDurationHours"},
		{"zero max duration while a duration is required names leases.maxDurationHours", "leases: {maxDurationHours: 0}", "leases.maxDurationHours"},
		{"negative leases per user names leases.maxLeasesPerUser", "leases: {maxLeasesPerUser: -1}", "leases.maxLeasesPerUser"},
		{"negative ttl names leases.ttl", "leases: {ttl: -1}", "leases.ttl"},
		{"negative reuse cooldown names leases.accountReuseCooldownHours", "leases: {accountReuseCooldownHours: -1}", "leases.accountReuseCooldownHours"},
		{"negative approval timeout names leases.pendingApprovalTimeoutHours", "leases: {pendingApprovalTimeoutHours: -1}", "leases.pendingApprovalTimeoutHours"},

		// Cleanup.
		{"zero failed attempts names cleanup.numberOfFailedAttemptsToCancelCleanup", "cleanup: {numberOfFailedAttemptsToCancelCleanup: 0}", "cleanup.numberOfFailedAttemptsToCancelCleanup"},
		{"negative retry wait names cleanup.waitBeforeRetryFailedAttemptSeconds", "cleanup: {waitBeforeRetryFailedAttemptSeconds: -5}", "cleanup.waitBeforeRetryFailedAttemptSeconds"},
		{"zero successful attempts names cleanup.numberOfSuccessfulAttemptsToFinishCleanup", "cleanup: {numberOfSuccessfulAttemptsToFinishCleanup: 0}", "cleanup.numberOfSuccessfulAttemptsToFinishCleanup"},
		{"negative rerun wait names cleanup.waitBeforeRerunSuccessfulAttemptSeconds", "cleanup: {waitBeforeRerunSuccessfulAttemptSeconds: -1}", "cleanup.waitBeforeRerunSuccessfulAttemptSeconds"},
		{"zero pass timeout names cleanup.passTimeoutMinutes", "cleanup: {passTimeoutMinutes: 0}", "cleanup.passTimeoutMinutes"},
		{"pass timeout over twelve hours names cleanup.passTimeoutMinutes", "cleanup: {passTimeoutMinutes: 1800}", "cleanup.passTimeoutMinutes"},
		{"zero consecutive failures names cleanup.maxConsecutiveCleanupFailures", "cleanup: {maxConsecutiveCleanupFailures: 0}", "cleanup.maxConsecutiveCleanupFailures"},

		// Auth.
		{"plain http sign-in url names auth.idpSignInUrl", "auth: {idpSignInUrl: 'http://portal.example.com/start'}", "auth.idpSignInUrl"},
		{"relative sign-out url names auth.idpSignOutUrl", "auth: {idpSignOutUrl: /logout}", "auth.idpSignOutUrl"},
		{"url without a scheme names auth.webAppUrl", "auth: {webAppUrl: sandbox.example.com}", "auth.webAppUrl"},
		{"ftp access portal url names auth.awsAccessPortalUrl", "auth: {awsAccessPortalUrl: 'ftp://example.com'}", "auth.awsAccessPortalUrl"},
		{"url with a password names auth.webAppUrl", "auth: {webAppUrl: 'https://user:secret@example.com'}", "auth.webAppUrl"},
		{"http for a host that only starts with localhost names auth.webAppUrl", "auth: {webAppUrl: 'http://localhost.example.com'}", "auth.webAppUrl"},
		{"audience with surrounding spaces names auth.idpAudience", "auth: {idpAudience: ' urn:isb '}", "auth.idpAudience"},
		{"four-minute sessions name auth.sessionDurationInMinutes", "auth: {sessionDurationInMinutes: 4}", "auth.sessionDurationInMinutes"},
		{"sessions over a day name auth.sessionDurationInMinutes", "auth: {sessionDurationInMinutes: 1441}", "auth.sessionDurationInMinutes"},

		// Notification.
		{"sender that is not an address names notification.emailFrom", "notification: {emailFrom: sandbox}", "notification.emailFrom"},
		{"sender with a display name names notification.emailFrom", "notification: {emailFrom: 'Sandbox <sandbox@example.com>'}", "notification.emailFrom"},
		{"sender with spaces names notification.emailFrom", "notification: {emailFrom: ' sandbox@example.com'}", "notification.emailFrom"},

		// Shape of the document.
		{"unknown top-level key is named", "colour: blue", "colour"},
		{"misspelt lease key names leases.maxBugdet", "leases: {maxBugdet: 5}", "leases.maxBugdet"},
		{"unknown auth key names auth.clientSecret", "auth: {clientSecret: x}", "auth.clientSecret"},
		{"a key set twice is named", "leases:\n  ttl: 3\n  ttl: 4\n", "leases.ttl"},
		{"text for a number names leases.maxBudget", "leases: {maxBudget: lots}", "leases.maxBudget"},
		{"a fraction for a whole number names leases.maxLeasesPerUser", "leases: {maxLeasesPerUser: 1.5}", "leases.maxLeasesPerUser"},
		{"a word for a boolean names maintenanceMode", "maintenanceMode: maybe", "maintenanceMode"},
		{"a list for a number names leases.ttl", "leases: {ttl: [30]}", "leases.ttl"},
		{"a number for a section names leases", "leases: 5", "leases"},
		{"a list for terms of service names termsOfService", "termsOfService: [a, b]", "termsOfService"},
		{"a list document names the document", "- maintenanceMode", config.DocumentField},
		{"broken YAML names the document", "leases: {maxBudget: 5", config.DocumentField},
		{"two documents name the document", "maintenanceMode: false\n---\nmaintenanceMode: true\n", config.DocumentField},
	})
}

func TestParseGlobalAcceptsEdgeValues(t *testing.T) {
	tests := []struct {
		name string
		yaml string
	}{
		{"no budget cap when budgets are optional", "leases: {requireMaxBudget: false, maxBudget: 0}"},
		{"no duration cap when durations are optional", "leases: {requireMaxDuration: false, maxDurationHours: 0}"},
		{"zero leases per user", "leases: {maxLeasesPerUser: 0}"},
		{"zero waits between passes", "cleanup: {waitBeforeRetryFailedAttemptSeconds: 0, waitBeforeRerunSuccessfulAttemptSeconds: 0}"},
		{"one pass of each kind", "cleanup: {numberOfFailedAttemptsToCancelCleanup: 1, numberOfSuccessfulAttemptsToFinishCleanup: 1, maxConsecutiveCleanupFailures: 1}"},
		{"a twelve-hour pass timeout", "cleanup: {passTimeoutMinutes: 720}"},
		{"five-minute sessions", "auth: {sessionDurationInMinutes: 5}"},
		{"day-long sessions", "auth: {sessionDurationInMinutes: 1440}"},
		{"http on localhost", "auth: {webAppUrl: 'http://localhost:5173'}"},
		{"http on the loopback address", "auth: {webAppUrl: 'http://127.0.0.1:8080/app'}"},
		{"http on the IPv6 loopback address", "auth: {webAppUrl: 'http://[::1]:8080'}"},
		{"https urls with paths and queries", "auth: {idpSignInUrl: 'https://portal.awsapps.com/start/#/saml/default/app/ins-1', idpSignOutUrl: 'https://portal.awsapps.com/start/#/signout'}"},
		{"a plain sender address", "notification: {emailFrom: sandbox+noreply@mail.example.co.uk}"},
		{"an empty sender turns email off", "notification: {emailFrom: ''}"},
		{"a null section", "auth: ~"},
		{"a leading document marker", "---\nmaintenanceMode: false\n"},
		{"a document end marker", "maintenanceMode: false\n...\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := config.ParseGlobal([]byte(tc.yaml)); err != nil {
				t.Fatalf("ParseGlobal(%q): %v", tc.yaml, err)
			}
		})
	}
}

func TestParseGlobalReportsEveryBadFieldAtOnce(t *testing.T) {
	_, err := config.ParseGlobal([]byte(`
leases: {maxBudget: -1, ttl: -2}
cleanup: {passTimeoutMinutes: 0}
auth: {sessionDurationInMinutes: 0}
`))
	for _, field := range []string{"leases.maxBudget", "leases.ttl", "cleanup.passTimeoutMinutes", "auth.sessionDurationInMinutes"} {
		wantFieldError(t, err, field)
	}

	_, err = config.ParseGlobal([]byte("leases: {maxBugdet: 5, ttl: soon}\nauth: {secret: x}\n"))
	for _, field := range []string{"leases.maxBugdet", "leases.ttl", "auth.secret"} {
		wantFieldError(t, err, field)
	}
}

func TestUnknownKeyErrorListsTheKnownKeys(t *testing.T) {
	_, err := config.ParseGlobal([]byte("notification: {emailSender: a@example.com}"))
	wantMessage(t, err, "notification.emailSender", "emailFrom")
}

func TestAuthReady(t *testing.T) {
	all := []string{"auth.idpSignInUrl", "auth.idpSignOutUrl", "auth.idpAudience", "auth.webAppUrl", "auth.awsAccessPortalUrl"}
	ready := config.DefaultGlobal()
	ready.Auth = config.Auth{
		IdpSignInURL:             "https://portal.awsapps.com/start/#/saml/default/app/ins-1",
		IdpSignOutURL:            "https://portal.awsapps.com/start/#/signout",
		IdpAudience:              "urn:isb:saml",
		WebAppURL:                "https://sandbox.example.com",
		AwsAccessPortalURL:       "https://portal.awsapps.com/start",
		SessionDurationInMinutes: 60,
	}

	t.Run("a fresh install names every missing auth field", func(t *testing.T) {
		err := config.DefaultGlobal().AuthReady()
		for _, field := range all {
			wantFieldError(t, err, field)
		}
	})
	t.Run("a fully set auth section is ready", func(t *testing.T) {
		if err := ready.AuthReady(); err != nil {
			t.Fatal(err)
		}
		if err := ready.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("one missing field is the only one named", func(t *testing.T) {
		g := ready
		g.Auth.IdpAudience = ""
		err := g.AuthReady()
		wantFieldError(t, err, "auth.idpAudience")
		if n := len(fieldsOf(err)); n != 1 {
			t.Errorf("got %d field errors, want 1: %v", n, err)
		}
	})
}

func TestCheckBudgetAndDuration(t *testing.T) {
	// The defaults require both: maxBudget 50, maxDurationHours 168.
	required := config.DefaultGlobal()
	optional := required
	optional.Leases.RequireMaxBudget = false
	optional.Leases.RequireMaxDuration = false
	uncapped := optional
	uncapped.Leases.MaxBudget = 0
	uncapped.Leases.MaxDurationHours = 0
	budget, duration := config.Global.CheckBudget, config.Global.CheckDuration

	tests := []struct {
		name   string
		check  func(config.Global, *float64) error
		field  string // named by the error; "" when none is wanted
		global config.Global
		value  *float64
	}{
		{"missing max spend while required names maxSpend", budget, "maxSpend", required, nil},
		{"max spend above the global max names maxSpend", budget, "maxSpend", required, ptr(50.01)},
		{"max spend equal to the global max is accepted", budget, "", required, ptr(50.0)},
		{"max spend below the global max is accepted", budget, "", required, ptr(10.0)},
		{"missing max spend while optional is accepted", budget, "", optional, nil},
		{"max spend above the global max names maxSpend even when optional", budget, "maxSpend", optional, ptr(51.0)},
		{"any max spend is accepted without a global cap", budget, "", uncapped, ptr(1e6)},
		{"missing duration while required names leaseDurationInHours", duration, "leaseDurationInHours", required, nil},
		{"duration above the global max names leaseDurationInHours",
			duration, "leaseDurationInHours", required, ptr(168.5)},
		{"duration equal to the global max is accepted", duration, "", required, ptr(168.0)},
		{"missing duration while optional is accepted", duration, "", optional, nil},
		{"duration above the global max names leaseDurationInHours even when optional",
			duration, "leaseDurationInHours", optional, ptr(200.0)},
		{"any duration is accepted without a global cap", duration, "", uncapped, ptr(10000.0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.check(tc.global, tc.value)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				return
			}
			wantFieldError(t, err, tc.field)
		})
	}
}

func TestGlobalSurvivesMarshalAndParse(t *testing.T) {
	custom := config.Global{
		MaintenanceMode: false,
		TermsOfService:  "Line one.\n  - indented: with colon\n\nLast line without newline",
		Leases: config.Leases{
			RequireMaxBudget: false, MaxBudget: 0, RequireMaxDuration: true, MaxDurationHours: 24,
			MaxLeasesPerUser: 0, TTL: 0, AccountReuseCooldownHours: 0, PendingApprovalTimeoutHours: 0,
		},
		Cleanup: config.Cleanup{
			NumberOfFailedAttemptsToCancelCleanup: 1, WaitBeforeRetryFailedAttemptSeconds: 0,
			NumberOfSuccessfulAttemptsToFinishCleanup: 4, WaitBeforeRerunSuccessfulAttemptSeconds: 0,
			PassTimeoutMinutes: 90, MaxConsecutiveCleanupFailures: 1,
		},
		Auth: config.Auth{
			IdpSignInURL: "https://idp.example.com/in", IdpSignOutURL: "https://idp.example.com/out",
			IdpAudience: "urn:example", WebAppURL: "http://localhost:3000", AwsAccessPortalURL: "https://portal.example.com",
			SessionDurationInMinutes: 5,
		},
		Notification: config.Notification{EmailFrom: "noreply@example.com"},
	}
	custom.Leases.MaxBudget = 99.99
	custom.Leases.RequireMaxBudget = true

	for name, g := range map[string]config.Global{"defaults": config.DefaultGlobal(), "custom values": custom} {
		t.Run(name, func(t *testing.T) { wantRoundTrip(t, config.ParseGlobal, g) })
	}
}

func TestDurationHelpersUseTheUnitsTheKeysName(t *testing.T) {
	g := config.DefaultGlobal()
	for _, tc := range []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		{"ttl is in days", g.Leases.LeaseTTL(), 30 * 24 * time.Hour},
		{"reuse cooldown is in hours", g.Leases.AccountReuseCooldown(), 24 * time.Hour},
		{"approval timeout is in hours", g.Leases.PendingApprovalTimeout(), 168 * time.Hour},
		{"pass timeout is in minutes", g.Cleanup.PassTimeout(), 30 * time.Minute},
		{"retry wait is in seconds", g.Cleanup.WaitBeforeRetryFailedAttempt(), 5 * time.Second},
		{"rerun wait is in seconds", g.Cleanup.WaitBeforeRerunSuccessfulAttempt(), 30 * time.Second},
		{"session is in minutes", g.Auth.SessionDuration(), time.Hour},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

// leafKeys lists the dotted paths of the non-mapping values in m.
func leafKeys(prefix string, m map[string]any) []string {
	var keys []string
	for k, v := range m {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			keys = append(keys, leafKeys(path, sub)...)
			continue
		}
		keys = append(keys, path)
	}
	return keys
}

func hasKey(m map[string]any, path string) bool {
	head, rest, nested := strings.Cut(path, ".")
	v, ok := m[head]
	if !ok || !nested {
		return ok
	}
	sub, ok := v.(map[string]any)
	return ok && hasKey(sub, rest)
}
