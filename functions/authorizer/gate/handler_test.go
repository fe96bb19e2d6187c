package gate

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
)

const ns = "test"

var (
	key      = auth.NewLocalKey("arn:aws:kms:us-east-1:111111111111:key/signing")
	otherKey = auth.NewLocalKey("arn:aws:kms:us-east-1:111111111111:key/signing") // same id, another key
	es256    = `{"alg":"ES256","kid":"` + key.ID + `","typ":"JWT"}`
	now      = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
)

// fakeConfig is the one-method global configuration source.
type fakeConfig struct {
	maintenance bool
	machines    []config.MachineIdentity
	err         error
	reads       int
}

func (f *fakeConfig) Global(context.Context) (config.Global, error) {
	f.reads++
	return config.Global{MaintenanceMode: f.maintenance, Auth: config.Auth{MachineIdentities: f.machines}}, f.err
}

type faultCount struct{ n int }

func (f *faultCount) Fault(context.Context) { f.n++ }

func newHandler(keys auth.KeySource, cfg *fakeConfig, faults *faultCount) *Handler {
	return New(auth.NewVerifier(keys, auth.Issuer(ns), auth.Audience(ns), func() time.Time { return now }), cfg, faults)
}

// concrete turns a route template into a request path.
func concrete(p string) string {
	r := strings.NewReplacer(
		"{leaseId}",
		"bGVhc2U",
		"{leaseTemplateId}",
		"0d9a8c1e-5b7f-4e7a-9f51-1b2c3d4e5f60",
		"{awsAccountId}",
		"123456789012",
	)
	return r.Replace(p)
}

func methodArn(method, path string) string {
	return "arn:aws:execute-api:us-east-1:111111111111:abcdef1234/prod/" + method + path
}

func request(method, path, authorization string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	return events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", MethodArn: methodArn(method, path), Path: path, HTTPMethod: method,
		Headers: map[string]string{"authorization": authorization},
	}
}

func issue(t *testing.T, k *auth.LocalKey, roles []routes.Role, audience string, issuedAt time.Time) string {
	t.Helper()
	tok, err := auth.Issue(
		t.Context(),
		k,
		k.ID,
		auth.Caller{Email: "pat@example.com", Name: "Pat", Roles: roles},
		auth.Issuer(ns),
		audience,
		time.Hour,
		issuedAt,
	)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

// signedRaw signs a payload as-is with ES256, to make tokens Issue refuses
// to make (no roles), and "unsigned" alg:none tokens.
func signedRaw(header string, payload map[string]any, k *auth.LocalKey) string {
	e := base64.RawURLEncoding
	b, _ := json.Marshal(payload)
	in := e.EncodeToString([]byte(header)) + "." + e.EncodeToString(b)
	if k == nil {
		return "Bearer " + in + "."
	}
	sig, err := auth.SignES256(context.Background(), k, k.ID, []byte(in))
	if err != nil {
		panic(err)
	}
	return "Bearer " + in + "." + e.EncodeToString(sig)
}

// hmacSigned is a token minted with a shared secret, as any holder of the
// old HS256 signing key could.
func hmacSigned(payload map[string]any, secret []byte) string {
	e := base64.RawURLEncoding
	b, _ := json.Marshal(payload)
	in := e.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + e.EncodeToString(b)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return "Bearer " + in + "." + e.EncodeToString(m.Sum(nil))
}

func claims(roles []routes.Role) map[string]any {
	return map[string]any{
		"iss": auth.Issuer(ns), "aud": auth.Audience(ns), "email": "pat@example.com", "roles": roles,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

type outcome string

const (
	allow        outcome = "Allow"
	deny         outcome = "Deny"
	unauthorized outcome = "401"
	fault        outcome = "500"
)

func run(t *testing.T, h *Handler, req events.APIGatewayCustomAuthorizerRequestTypeRequest) outcome {
	t.Helper()
	resp, err := h.Handle(t.Context(), req)
	switch {
	case errors.Is(err, ErrUnauthorized):
		if err.Error() != "Unauthorized" {
			t.Fatalf("401 error text %q: API Gateway needs exactly \"Unauthorized\"", err)
		}
		return unauthorized
	case err != nil:
		return fault
	}
	st := resp.PolicyDocument.Statement
	if len(st) != 1 || len(st[0].Resource) != 1 || st[0].Resource[0] != req.MethodArn || len(st[0].Action) != 1 ||
		st[0].Action[0] != "execute-api:Invoke" {
		t.Fatalf("policy %+v does not name exactly the method ARN %s", resp.PolicyDocument, req.MethodArn)
	}
	if resp.PrincipalID == "" || resp.Context[auth.ContextEmail] != "pat@example.com" {
		t.Fatalf("response lacks the caller: %+v", resp)
	}
	return outcome(st[0].Effect)
}

// TestMatrix walks every route × every role set × every kind of token.
func TestMatrix(t *testing.T) {
	roleSets := map[string][]routes.Role{
		"no role": nil, "User": {routes.User}, "Manager": {routes.Manager}, "Admin": {routes.Admin},
		"User+Manager": {routes.User, routes.Manager}, "all roles": routes.Roles,
	}
	type token struct {
		name  string
		make  func(roles []routes.Role) string
		valid bool
	}
	tokens := []token{
		{"valid", func(r []routes.Role) string {
			if len(r) == 0 {
				return signedRaw(es256, claims(r), key) // Issue refuses to make it
			}
			return issue(t, key, r, auth.Audience(ns), now.Add(-time.Minute))
		}, true},
		{"expired", func(r []routes.Role) string {
			c := claims(r)
			c["iat"], c["nbf"], c["exp"] = now.Add(-2*time.Hour).
				Unix(),
				now.Add(-2*time.Hour).
					Unix(),
				now.Add(-time.Hour).
					Unix()
			return signedRaw(es256, c, key)
		}, false},
		{"wrongly signed", func(r []routes.Role) string { return signedRaw(es256, claims(r), otherKey) }, false},
		{"wrong audience", func(r []routes.Role) string {
			c := claims(r)
			c["aud"] = auth.Audience("prod")
			return signedRaw(es256, c, key)
		}, false},
		{
			"unsigned",
			func(r []routes.Role) string { return signedRaw(`{"alg":"none","typ":"JWT"}`, claims(r), nil) },
			false,
		},
		{"HS256 with a shared secret", func(r []routes.Role) string {
			return hmacSigned(claims(r), []byte("authorizer-test-key-0123456789abcdef0123456789"))
		}, false},
		{"missing", func([]routes.Role) string { return "" }, false},
	}
	counts := map[outcome]int{}
	for _, route := range routes.Table {
		path := concrete(route.Path)
		for setName, roles := range roleSets {
			for _, tok := range tokens {
				name := fmt.Sprintf("%s %s/%s/%s token", route.Method, route.Path, setName, tok.name)
				cfg, faults := &fakeConfig{}, &faultCount{}
				h := newHandler(auth.StaticKeys{Current: key.Public()}, cfg, faults)
				got := run(t, h, request(route.Method, path, tok.make(roles)))
				want := unauthorized
				if tok.valid && len(roles) > 0 {
					want = deny
					if route.Allows(roles) {
						want = allow
					}
				}
				if got != want {
					t.Errorf("%s: %s, want %s", name, got, want)
				}
				if faults.n != 0 {
					t.Errorf("%s: counted %d faults", name, faults.n)
				}
				counts[got]++
			}
		}
	}
	// The table grants and refuses something: the matrix is not vacuous.
	if counts[allow] == 0 || counts[deny] == 0 || counts[unauthorized] == 0 {
		t.Errorf("outcomes %v: the matrix must see allows, denials and 401s", counts)
	}
	t.Logf("matrix outcomes: %v", counts)
}

// TestRoleSpotChecks pins a few grants by hand, independent of Allows.
func TestRoleSpotChecks(t *testing.T) {
	h := newHandler(auth.StaticKeys{Current: key.Public()}, &fakeConfig{}, &faultCount{})
	for _, tc := range []struct {
		method, path string
		role         routes.Role
		want         outcome
	}{
		{"GET", "/leases", routes.User, allow},
		{"POST", "/leases/abc/review", routes.User, deny},
		{"POST", "/leases/abc/review", routes.Manager, allow},
		{"GET", "/accounts", routes.Manager, deny},
		{"GET", "/accounts/unregistered", routes.Admin, allow},
		{"POST", "/accounts", routes.User, deny},
		{"DELETE", "/leaseTemplates/x", routes.User, deny},
		{"DELETE", "/leaseTemplates/x", routes.Manager, allow},
		{"GET", "/configurations", routes.User, allow},
		{"DELETE", "/leases", routes.Admin, deny},    // no such route
		{"GET", "/blueprints", routes.Admin, deny},   // not served
		{"GET", "/leases/a/b/c", routes.Admin, deny}, // no such path
	} {
		if got := run(t, h, request(tc.method, tc.path, issue(t, key, []routes.Role{tc.role}, auth.Audience(ns),
			now))); got != tc.want {
			t.Errorf("%s %s as %s: %s, want %s", tc.method, tc.path, tc.role, got, tc.want)
		}
	}
}

func TestMaintenanceMode(t *testing.T) {
	for _, tc := range []struct {
		name         string
		method, path string
		role         routes.Role
		want         outcome
		reads        int
	}{
		{"blocks a user", "GET", "/leases", routes.User, deny, 1},
		{"blocks a manager", "POST", "/leases/x/review", routes.Manager, deny, 1},
		{"lets an admin through without reading the configuration", "GET", "/accounts", routes.Admin, allow, 0},
		{"lets a user read the configuration", "GET", "/configurations", routes.User, allow, 0},
		{"still refuses what the role may not do", "GET", "/accounts", routes.User, deny, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &fakeConfig{maintenance: true}
			h := newHandler(auth.StaticKeys{Current: key.Public()}, cfg, &faultCount{})
			if got := run(t, h, request(tc.method, tc.path, issue(t, key, []routes.Role{tc.role}, auth.Audience(ns),
				now))); got != tc.want {
				t.Errorf("%s, want %s", got, tc.want)
			}
			if cfg.reads != tc.reads {
				t.Errorf("configuration read %d times, want %d", cfg.reads, tc.reads)
			}
		})
	}
}

type brokenKeys struct{}

func (brokenKeys) Keys(context.Context) (auth.KeySet, error) {
	return auth.KeySet{}, errors.New("AccessDeniedException")
}

func TestFaultsAreErrorsAndCounted(t *testing.T) {
	t.Run("keys unreadable", func(t *testing.T) {
		faults := &faultCount{}
		h := newHandler(brokenKeys{}, &fakeConfig{}, faults)
		if got := run(t, h, request("GET", "/leases", issue(t, key, []routes.Role{routes.User}, auth.Audience(ns),
			now))); got != fault ||
			faults.n != 1 {
			t.Errorf("outcome %s, %d faults; want 500 and 1", got, faults.n)
		}
	})
	t.Run("configuration unreadable", func(t *testing.T) {
		faults := &faultCount{}
		h := newHandler(auth.StaticKeys{Current: key.Public()}, &fakeConfig{err: errors.New("extension down")}, faults)
		if got := run(t, h, request("GET", "/leases", issue(t, key, []routes.Role{routes.User}, auth.Audience(ns),
			now))); got != fault ||
			faults.n != 1 {
			t.Errorf("outcome %s, %d faults; want 500 and 1", got, faults.n)
		}
	})
	t.Run("a denial is not a fault", func(t *testing.T) {
		faults := &faultCount{}
		h := newHandler(auth.StaticKeys{Current: key.Public()}, &fakeConfig{}, faults)
		run(t, h, request("GET", "/accounts", issue(t, key, []routes.Role{routes.User}, auth.Audience(ns), now)))
		run(t, h, request("GET", "/accounts", "Bearer nope"))
		if faults.n != 0 {
			t.Errorf("%d faults for denials", faults.n)
		}
	})
}

func TestHeaderLookupIgnoresCase(t *testing.T) {
	h := newHandler(auth.StaticKeys{Current: key.Public()}, &fakeConfig{}, &faultCount{})
	req := request("GET", "/leases", "")
	req.Headers = map[string]string{"AUTHORIZATION": issue(t, key, []routes.Role{routes.User}, auth.Audience(ns), now)}
	if got := run(t, h, req); got != allow {
		t.Errorf("upper-case header: %s", got)
	}
}

func TestEMFLineIsTheAlarmedMetric(t *testing.T) {
	var buf bytes.Buffer
	c := NewEMFCounter(names.MetricNamespace(ns), &buf, func() time.Time { return now })
	c.Fault(t.Context())
	var got struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Value *float64 `json:"AuthorizerErrors"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("EMF line %q: %v", buf.String(), err)
	}
	m := got.AWS.CloudWatchMetrics
	if got.AWS.Timestamp != now.UnixMilli() || len(m) != 1 || m[0].Namespace != "ISB/test" ||
		len(
			m[0].Metrics,
		) != 1 || m[0].Metrics[0].Name != names.MetricAuthorizerErrors || got.Value == nil || *got.Value != 1 {
		t.Errorf("EMF line = %s", buf.String())
	}
	if !strings.HasSuffix(buf.String(), "\n") || strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("EMF must be one line: %q", buf.String())
	}
}

func TestTwoDifferentAuthorizationHeadersAreRefused(t *testing.T) {
	h := newHandler(auth.StaticKeys{Current: key.Public()}, &fakeConfig{}, &faultCount{})
	admin := issue(t, key, []routes.Role{routes.Admin}, auth.Audience(ns), now)
	user := issue(t, key, []routes.Role{routes.User}, auth.Audience(ns), now)
	for _, tc := range []struct {
		name    string
		headers map[string]string
		multi   map[string][]string
		want    outcome
	}{
		{"an admin token beside a user token is refused",
			map[string]string{"Authorization": admin, "authorization": user}, nil, unauthorized},
		{"a valid token beside a forged one is refused",
			map[string]string{"authorization": admin, "AUTHORIZATION": "Bearer forged"}, nil, unauthorized},
		{"a second value in the multi-value map is refused",
			map[string]string{"Authorization": admin}, map[string][]string{"Authorization": {admin, user}},
			unauthorized},
		{"the same token under two spellings is one token",
			map[string]string{"Authorization": admin, "authorization": admin}, nil, allow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := request("GET", "/accounts", "")
			req.Headers, req.MultiValueHeaders = tc.headers, tc.multi
			// Map order is random; the answer may not depend on it.
			for range 50 {
				if got := run(t, h, req); got != tc.want {
					t.Fatalf("%s, want %s", got, tc.want)
				}
			}
		})
	}
}

func TestAMachineTokenHoldsOnlyWhileItsMappingDoes(t *testing.T) {
	const principal = "arn:aws:sts::111111111111:assumed-role/ci/build-1"
	ci := config.MachineIdentity{Principal: "arn:aws:iam::111111111111:role/ci", Owner: "ci@example.com"}
	tok, err := auth.Issue(t.Context(), key, key.ID, auth.Caller{Email: "ci@example.com",
		Roles: []routes.Role{routes.User}, Principal: principal}, auth.Issuer(ns), auth.Audience(ns), time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	asManager, asOther := ci, ci
	asManager.Role, asOther.Owner = "Manager", "other@example.com"
	for _, tc := range []struct {
		name     string
		machines []config.MachineIdentity
		allowed  bool
	}{
		{"a token whose mapping is configured is allowed", []config.MachineIdentity{ci}, true},
		{"a token whose mapping was removed is refused", nil, false},
		{"a token whose mapping now grants another role is refused", []config.MachineIdentity{asManager}, false},
		{"a token whose mapping now names another owner is refused", []config.MachineIdentity{asOther}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(auth.StaticKeys{Current: key.Public()}, &fakeConfig{machines: tc.machines}, &faultCount{})
			resp, err := h.Handle(t.Context(), request("GET", "/leases", "Bearer "+tok))
			if tc.allowed {
				if err != nil || resp.PolicyDocument.Statement[0].Effect != "Allow" {
					t.Fatalf("Handle = %+v, %v; want Allow", resp, err)
				}
				return
			}
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("Handle error = %v; want ErrUnauthorized", err)
			}
		})
	}
}
