package emulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/cmd/emulator"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/names"
)

// current is the package's shared server, set by Main.
var current *Server

// Main runs a test package against one emulator: it starts the server (or
// attaches to EnvURL), points every AWS setting of the process at it, runs
// the tests, stops the server and exits with the tests' status. Call it from
// TestMain. If the emulator cannot start, the package fails with the reason.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// Never talk to the instance metadata service or a developer's profile.
	_ = os.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	ctx, cancel := context.WithTimeout(context.Background(), emulator.StartTimeout+5*time.Second)
	srv, err := Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the AWS emulator did not start: %v\n", err)
		return 1
	}
	defer srv.Stop()
	current = srv
	isolateFromAWS(srv.URL())
	return m.Run()
}

// isolateFromAWS points the default AWS chain of this process at the
// emulator, so that code under test which builds its own configuration
// (awscfg.FromEnv, config.LoadDefaultConfig) can never reach real AWS. It
// runs after the launcher started, which keeps these settings away from moto.
func isolateFromAWS(endpoint string) {
	noFile := filepath.Join(os.TempDir(), "isb-emulator-no-such-aws-file")
	for k, v := range map[string]string{
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            endpoint,
		names.EnvEndpoint:             endpoint,
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_REGION":                  Region,
		"AWS_DEFAULT_REGION":          Region,
		"AWS_CONFIG_FILE":             noFile,
		"AWS_SHARED_CREDENTIALS_FILE": noFile,
	} {
		_ = os.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		_ = os.Unsetenv(k)
	}
}

// Config empties the emulator and returns the aws.Config a test should use:
// the production constructor awscfg.Load with only the endpoint, dummy
// static credentials, region us-east-1, a single attempt (moto answers
// unimplemented calls with HTTP 500; retrying would only slow the failure)
// and an HTTP client that reads each response whole changed.
// If the test fails, the emulator's log from the test is attached to it.
func Config(t testing.TB) aws.Config {
	t.Helper()
	srv := shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Reset(ctx); err != nil {
		t.Fatalf("empty the emulator: %v", err)
	}
	return config(t, srv)
}

// ConfigNoReset is Config without the reset, for benchmarks and tests that
// set their data up once and share it between subtests.
func ConfigNoReset(t testing.TB) aws.Config {
	t.Helper()
	return config(t, shared(t))
}

// URL returns the base URL of the package's emulator. It panics when the
// package's TestMain does not call Main.
func URL() string {
	if current == nil {
		panic("emulator.URL: no emulator; call emulator.Main(m) from TestMain")
	}
	return current.URL()
}

// PostJSON posts body as JSON to a control endpoint of the package's
// emulator, for example /moto-api/static/ce/cost-and-usage-results.
func PostJSON(ctx context.Context, path string, body any) error {
	if current == nil {
		return fmt.Errorf("emulator: post %s: no emulator; call emulator.Main(m) from TestMain", path)
	}
	return current.PostJSON(ctx, path, body)
}

// SentEmail is a message SES or SESv2 accepted, as the emulator recorded it.
type SentEmail = emulator.SentEmail

// SentEmails lists what SES and SESv2 sent from account in region, oldest
// first. moto delivers nothing; this is how tests see the mail.
func SentEmails(ctx context.Context, account, region string) ([]SentEmail, error) {
	if current == nil {
		return nil, fmt.Errorf("emulator: sent emails: no emulator; call emulator.Main(m) from TestMain")
	}
	return current.SentEmails(ctx, account, region)
}

func shared(t testing.TB) *Server {
	t.Helper()
	if current == nil {
		t.Fatal("no emulator: the package's TestMain must call emulator.Main(m)")
	}
	return current
}

func config(t testing.TB, srv *Server) aws.Config {
	t.Helper()
	cfg, err := awscfg.Load(context.Background(), awscfg.Options{
		Region:       Region,
		Endpoint:     srv.URL(),
		StaticKey:    "test",
		StaticSecret: "test",
		MaxAttempts:  1,
	})
	if err != nil {
		t.Fatalf("build AWS config for the emulator: %v", err)
	}
	// Read each response whole as soon as its headers arrive. Under CPU
	// load the emulator's connection was sometimes gone by the time the SDK
	// got round to reading the body of a response the emulator had sent
	// ("use of closed network connection"); a response read at once is not
	// lost. Nothing is retried: a retried write could apply twice.
	cfg.HTTPClient = &http.Client{Transport: eagerBody{&http.Transport{DisableKeepAlives: true}}}
	{
		mark := srv.LogMark()
		t.Cleanup(func() {
			if t.Failed() {
				if out := srv.LogSince(mark, 16<<10); out != "" {
					t.Logf("emulator log during this test:\n%s", out)
				}
			}
		})
	}
	return cfg
}

// eagerBody reads every response body completely inside RoundTrip.
type eagerBody struct{ next http.RoundTripper }

func (e eagerBody) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := e.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read the emulator's response to %s %s: %w", req.Method, req.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// Cost Explorer answers, in the API's JSON shape, for QueueCostAndUsage.
type (
	CostAndUsage     = emulator.CostAndUsage
	CostResultByTime = emulator.CostResultByTime
	CostPeriod       = emulator.CostPeriod
	CostGroup        = emulator.CostGroup
	CostAmount       = emulator.CostAmount
)

// QueueCostAndUsage appends answers to the emulator's GetCostAndUsage
// queue of callerAccount (see emulator.Server.QueueCostAndUsage).
func QueueCostAndUsage(ctx context.Context, callerAccount string, results ...CostAndUsage) error {
	if current == nil {
		return fmt.Errorf("emulator: queue cost and usage: no emulator; call emulator.Main(m) from TestMain")
	}
	return current.QueueCostAndUsage(ctx, callerAccount, results...)
}
