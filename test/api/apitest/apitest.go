// Package apitest drives the API functions' real handlers, services and
// stores with API Gateway proxy events against the emulator: tables, the
// event bus with its tap, the configuration served over real HTTP the way
// the AppConfig extension serves it, and signed tokens.
package apitest

import (
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/common/template"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

//go:embed testdata/proxy-event.json
var proxyEvent []byte

// T0 is the tests' clock start.
var T0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// Callers used across the API tests.
var (
	Dev     = auth.Caller{Email: "dev@example.com", Name: "Dev", Roles: []routes.Role{routes.User}}
	Other   = auth.Caller{Email: "other@example.com", Roles: []routes.Role{routes.User}}
	CI      = auth.Caller{Email: "ci-pipeline@example.com", Roles: []routes.Role{routes.User}}
	Manager = auth.Caller{Email: "manager@example.com", Roles: []routes.Role{routes.Manager}}
	Admin   = auth.Caller{Email: "admin@example.com", Roles: []routes.Role{routes.Admin}}
)

var signingKey = auth.NewLocalKey("arn:aws:kms:us-east-1:111111111111:key/apitest")

// Env is one test's world.
type Env struct {
	T        *testing.T
	Cfg      aws.Config
	Store    *ddbstore.Store
	Tap      *fixture.Tap
	Relay    *outbox.Relay
	Clock    *fixture.Clock
	Config   *appconfig.Source
	Verifier *auth.Verifier

	mu   sync.Mutex
	docs map[string]string
}

// New empties the emulator, creates the tables, the bus and its tap, and
// serves the default configuration with maintenance mode off.
func New(t *testing.T) *Env {
	t.Helper()
	cfg := emulator.Config(t)
	e := &Env{T: t, Cfg: cfg, Store: fixture.Store(t, cfg), Tap: fixture.Bus(t, cfg), Clock: &fixture.Clock{T: T0}}
	e.Relay = fixture.Relay(cfg, e.Store)
	e.docs = map[string]string{
		names.GlobalConfigProfile:    "maintenanceMode: false\nleases:\n  maxLeasesPerUser: 3\n",
		names.ReportingConfigProfile: "costReportGroups: [platform, research]\n",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		profile := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		e.mu.Lock()
		doc, ok := e.docs[profile]
		e.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(doc))
	}))
	t.Cleanup(srv.Close)
	ext := appconfig.NewExtension(fixture.Namespace, "")
	ext.BaseURL = srv.URL
	// A TTL of a nanosecond: every request sees the configuration a test
	// just set, and every request still reads it over HTTP.
	e.Config = appconfig.New(ext, time.Nanosecond, nil)
	e.Verifier = auth.NewVerifier(
		auth.StaticKeys{Current: signingKey.Public()},
		auth.Issuer(fixture.Namespace),
		auth.Audience(fixture.Namespace),
		e.Clock.Now,
	)
	return e
}

// SetGlobal replaces the global configuration document.
func (e *Env) SetGlobal(yaml string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.docs[names.GlobalConfigProfile] = yaml
}

// NewID returns predictable UUIDs.
func (e *Env) NewID() string { return uuid.NewString() }

// Token signs a token for caller, valid for an hour from the clock.
func (e *Env) Token(c auth.Caller) string {
	e.T.Helper()
	tok, err := auth.Issue(
		context.Background(),
		signingKey,
		signingKey.ID,
		c,
		auth.Issuer(fixture.Namespace),
		auth.Audience(fixture.Namespace),
		time.Hour,
		e.Clock.Now(),
	)
	if err != nil {
		e.T.Fatal(err)
	}
	return tok
}

// RawToken signs claims as they are, with the test key, filling in the
// issuer, audience and times a valid token has: tokens auth.Issue refuses
// to make (a non-canonical email), to show the verifier refuses them too.
func (e *Env) RawToken(claims map[string]any) string {
	e.T.Helper()
	full := map[string]any{
		"iss": auth.Issuer(fixture.Namespace), "aud": auth.Audience(fixture.Namespace),
		"iat": e.Clock.Now().Unix(), "nbf": e.Clock.Now().Unix(), "exp": e.Clock.Now().Add(time.Hour).Unix(),
		"jti": uuid.NewString(),
	}
	for k, v := range claims {
		full[k] = v
	}
	head, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": signingKey.ID, "typ": "JWT"})
	body, err := json.Marshal(full)
	if err != nil {
		e.T.Fatal(err)
	}
	in := base64.RawURLEncoding.EncodeToString(head) + "." + base64.RawURLEncoding.EncodeToString(body)
	sig, err := auth.SignES256(context.Background(), signingKey, signingKey.ID, []byte(in))
	if err != nil {
		e.T.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Event builds an API Gateway proxy event from the fixture: method, path
// (with query), caller (nil: no Authorization header) and JSON body (nil:
// none; a string is sent as is).
func (e *Env) Event(method, path string, caller *auth.Caller, body any) events.APIGatewayProxyRequest {
	e.T.Helper()
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(proxyEvent, &ev); err != nil {
		e.T.Fatal(err)
	}
	p, rawQuery, _ := strings.Cut(path, "?")
	ev.HTTPMethod, ev.Path = method, p
	ev.RequestContext.HTTPMethod, ev.RequestContext.Path = method, "/prod"+p
	if r, _, ok := routes.Match(method, p); ok {
		ev.Resource, ev.RequestContext.ResourcePath = r.Path, r.Path
	}
	if rawQuery != "" {
		ev.QueryStringParameters = map[string]string{}
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			ev.QueryStringParameters[k] = v
		}
	}
	if caller != nil {
		ev.Headers["Authorization"] = "Bearer " + e.Token(*caller)
	}
	switch b := body.(type) {
	case nil:
	case string:
		ev.Body = b
		ev.Headers["Content-Type"] = "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		ev.Body = string(raw)
		ev.Headers["Content-Type"] = "application/json"
	}
	return ev
}

// Page is the data of a list response: one page of items and the
// identifier of the next page, if there is one.
type Page[T any] struct {
	Result []T     `json:"result"`
	Next   *string `json:"nextPageIdentifier"`
}

// Result is a decoded response.
type Result struct {
	Status  int
	Headers map[string]string
	// JSend is "success", "fail" or "error".
	JSend   string
	Data    json.RawMessage
	Errors  []fault.FieldError
	Message string
	Raw     string
}

// Handler is an API function's entry point, as its main.go hands it to Lambda.
type Handler = func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// Call runs the handler on the event and decodes the JSend envelope.
func Call(
	t *testing.T,
	h Handler,
	ev events.APIGatewayProxyRequest,
) Result {
	t.Helper()
	resp, err := h(context.Background(), ev)
	if err != nil {
		t.Fatalf("handler returned an error instead of a response: %v", err)
	}
	var env struct {
		Status  string          `json:"status"`
		Data    json.RawMessage `json:"data"`
		Message string          `json:"message"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &env); err != nil {
		t.Fatalf("response body is not JSON: %v\n%s", err, resp.Body)
	}
	r := Result{
		Status:  resp.StatusCode,
		Headers: resp.Headers,
		JSend:   env.Status,
		Data:    env.Data,
		Message: env.Message,
		Raw:     resp.Body,
	}
	if env.Status == "fail" {
		var d struct {
			Errors []fault.FieldError `json:"errors"`
		}
		if err := json.Unmarshal(env.Data, &d); err != nil {
			t.Fatalf("fail body: %v\n%s", err, resp.Body)
		}
		r.Errors = d.Errors
	}
	return r
}

// AtOnce runs the handler on n events at once, the i-th made by ev(i), and
// returns the results in that order.
func AtOnce(t *testing.T, h Handler, n int, ev func(i int) events.APIGatewayProxyRequest) []Result {
	t.Helper()
	results := make([]Result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = Call(t, h, ev(i)) })
	}
	wg.Wait()
	return results
}

// Statuses lists the HTTP statuses of results.
func Statuses(results []Result) []int {
	out := make([]int, len(results))
	for i, r := range results {
		out[i] = r.Status
	}
	return out
}

// Decode runs the handler on the event and returns the success data as a T.
func Decode[T any](t *testing.T, h Handler, ev events.APIGatewayProxyRequest) T {
	t.Helper()
	var v T
	Call(t, h, ev).Into(t, &v)
	return v
}

// Into decodes the success data into v.
func (r Result) Into(t *testing.T, v any) {
	t.Helper()
	if r.JSend != "success" {
		t.Fatalf("response is %d %s, not success: %s", r.Status, r.JSend, r.Raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode data: %v\n%s", err, r.Raw)
	}
}

// Want fails unless the response has the status (and, for a fail, an
// error naming field when field is not empty).
func (r Result) Want(t *testing.T, status int, field string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if field == "" {
		return
	}
	for _, e := range r.Errors {
		if e.Field == field {
			return
		}
	}
	t.Fatalf("no error names %q: %s", field, r.Raw)
}

// Server builds a family's server the way its main.go does, with the test
// verifier and configuration.
func (e *Env) Server(
	family routes.Family,
	handlers map[string]httpapi.HandlerFunc,
) Handler {
	e.T.Helper()
	srv, err := httpapi.NewServer(family, e.Verifier, e.Config, handlers)
	if err != nil {
		e.T.Fatal(err)
	}
	return srv.Handle
}

// Template stores a lease template.
func (e *Env) Template(name string, requiresApproval bool, vis template.Visibility) template.Template {
	e.T.Helper()
	spend, hours := 40.0, 24.0
	t, err := e.Store.Templates().Create(context.Background(), template.Template{
		UUID: uuid.NewString(), Name: name, RequiresApproval: requiresApproval, Visibility: vis,
		CreatedBy: Manager.Email, Terms: lease.Terms{MaxSpend: &spend, LeaseDurationInHours: &hours},
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return t
}

// Pool puts n available accounts in the pool and returns their ids.
func (e *Env) Pool(n int) []string {
	e.T.Helper()
	var accts []account.Account
	var ids []string
	for i := range n {
		id := fmt.Sprintf("1000000000%02d", i)
		ids = append(ids, id)
		accts = append(
			accts,
			account.Account{ID: id, Status: account.Available, StatusChangedAt: T0.Add(-48 * time.Hour)},
		)
	}
	if err := e.Store.Accounts().Import(context.Background(), accts); err != nil {
		e.T.Fatal(err)
	}
	return ids
}

// Events drains the tap and returns the detail-types seen.
func (e *Env) Events() []fixture.Received {
	e.T.Helper()
	return e.Tap.Drain(e.T)
}

// Outboxed returns the records still waiting in the outbox.
func (e *Env) Outboxed() int {
	e.T.Helper()
	recs, err := e.Store.Outbox().Pending(context.Background(), e.Clock.Now().Add(1000*time.Hour), 100)
	if err != nil {
		e.T.Fatal(err)
	}
	return len(recs)
}
