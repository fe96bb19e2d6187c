package signin

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/crewjam/saml"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/routes"
)

func TestMain(m *testing.M) {
	var w io.Writer = io.Discard
	if os.Getenv("ISB_TEST_LOG") != "" {
		w = os.Stderr
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(w, nil)))
	os.Exit(m.Run())
}

var (
	jwtKey  = auth.NewLocalKey("arn:aws:kms:us-east-1:111111111111:key/current")
	oldKey  = auth.NewLocalKey("arn:aws:kms:us-east-1:111111111111:key/previous")
	apiHost = "abc123.execute-api.us-east-1.amazonaws.com"
)

// keyring signs with whichever of its keys is named, as KMS would.
type keyring []*auth.LocalKey

func (r keyring) Sign(ctx context.Context, keyID string, message []byte) ([]byte, error) {
	for _, k := range r {
		if k.ID == keyID {
			return k.Sign(ctx, keyID, message)
		}
	}
	return nil, errors.New("no such key: " + keyID)
}

type globalConfig struct{ g config.Global }

func (c globalConfig) Global(context.Context) (config.Global, error) { return c.g, nil }

type staticMetadata struct{ md *saml.EntityDescriptor }

func (s staticMetadata) Metadata(context.Context) (*saml.EntityDescriptor, error) { return s.md, nil }

type directory map[string]auth.Caller

func (d directory) Caller(_ context.Context, email string) (auth.Caller, error) {
	c, ok := d[email]
	if !ok {
		return auth.Caller{}, ErrUnknownUser
	}
	return c, nil
}

// memSessions is an in-memory Sessions (the DynamoDB one is tested
// against the emulator in test/store and test/auth).
type memSessions struct {
	mu      sync.Mutex
	used    map[string]bool
	revoked map[string]time.Time
}

func newMemSessions() *memSessions {
	return &memSessions{used: map[string]bool{}, revoked: map[string]time.Time{}}
}

func (m *memSessions) UseSignIn(_ context.Context, id string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.used[id] {
		return ddbstore.ErrSignInUsed
	}
	m.used[id] = true
	return nil
}

func (m *memSessions) Revoke(_ context.Context, id string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.revoked[id] = until
	return nil
}

func (m *memSessions) Revoked(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.revoked[id]
	return ok, nil
}

// testIdP is an identity provider standing in for Identity Center.
type testIdP struct {
	idp *saml.IdentityProvider
	svc *Service
}

func (p *testIdP) GetServiceProvider(*http.Request, string) (*saml.EntityDescriptor, error) {
	sp, _, err := p.svc.ServiceProvider(
		context.Background(),
		url.URL{Scheme: "https", Host: apiHost, Path: "/prod/auth/login/callback"},
	)
	if err != nil {
		return nil, err
	}
	return sp.Metadata(), nil
}

func newIdP(t *testing.T, name string) *saml.IdentityProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &saml.IdentityProvider{
		Key: key, Certificate: cert,
		MetadataURL: url.URL{Scheme: "https", Host: name, Path: "/metadata"},
		SSOURL:      url.URL{Scheme: "https", Host: name, Path: "/sso"},
	}
}

func setup(t *testing.T) (*Service, *testIdP) {
	t.Helper()
	idp := newIdP(t, "portal.sso.example")
	// The handler reads the metadata document an admin stores, as XML.
	doc, err := xml.Marshal(idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	md, err := ParseMetadata(doc)
	if err != nil {
		t.Fatal(err)
	}
	g := config.DefaultGlobal()
	g.Auth = config.Auth{
		IdpSignInURL: idp.SSOURL.String(), IdpSignOutURL: "https://portal.sso.example/logout",
		IdpAudience: "https://isb.example/sp", WebAppURL: "https://app.example", SessionDurationInMinutes: 60,
	}
	svc := &Service{
		Keys: auth.StaticKeys{
			Current:  jwtKey.Public(),
			Previous: oldKey.Public(),
		}, Signer: keyring{jwtKey, oldKey}, Config: globalConfig{g}, IdP: staticMetadata{md},
		Callers: directory{
			"ada@example.com": {
				Email: "ada@example.com",
				Name:  "Ada",
				Roles: []routes.Role{routes.Manager, routes.User},
			},
			"nobody@example.com": {Email: "nobody@example.com", Name: "Nobody"},
			// Identity Center keeps the spelling the user was created with.
			"Grace@Example.COM": {Email: "Grace@Example.COM", Name: "Grace", Roles: []routes.Role{routes.User}},
			"ſam@example.com":   {Email: "ſam@example.com", Name: "Long S", Roles: []routes.Role{routes.Admin}},
		},
		Sessions: newMemSessions(),
		Issuer:   "iss", Audience: "aud", Now: time.Now,
	}
	p := &testIdP{idp: idp, svc: svc}
	idp.ServiceProviderProvider = p
	return svc, p
}

func event(method, path string) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{
		HTTPMethod: method, Path: path, Headers: map[string]string{},
		RequestContext: events.APIGatewayProxyRequestContext{DomainName: apiHost, Stage: "prod"},
	}
}

// login starts a sign-in and returns the IdP redirect and the cookie.
func login(t *testing.T, svc *Service) (string, string) {
	t.Helper()
	resp, err := svc.Handle(t.Context(), event("GET", "/auth/login"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("login: %d %v %s", resp.StatusCode, err, resp.Body)
	}
	set := resp.Headers["Set-Cookie"]
	if !strings.Contains(set, "HttpOnly") || !strings.Contains(set, "Secure") {
		t.Errorf("request cookie %q is not HttpOnly and Secure", set)
	}
	return resp.Headers["Location"], strings.SplitN(set, ";", 2)[0]
}

// answer is the IdP's signed SAMLResponse to the AuthnRequest in location.
func answer(t *testing.T, idp *saml.IdentityProvider, location, email string) string {
	t.Helper()
	req, err := saml.NewIdpAuthnRequest(idp, httptest.NewRequest("GET", location, nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Validate(); err != nil {
		t.Fatalf("the IdP refuses our AuthnRequest: %v", err)
	}
	session := &saml.Session{ID: "s1", NameID: email, NameIDFormat: string(saml.EmailAddressNameIDFormat),
		CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1"}
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		t.Fatal(err)
	}
	form, err := req.PostBinding()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(form.URL, "/prod/auth/login/callback") {
		t.Errorf("the IdP posts to %s", form.URL)
	}
	return form.SAMLResponse
}

func callback(t *testing.T, svc *Service, samlResponse, cookie string) events.APIGatewayProxyResponse {
	t.Helper()
	e := event("POST", "/auth/login/callback")
	e.Headers["Content-Type"] = "application/x-www-form-urlencoded"
	if cookie != "" {
		e.Headers["Cookie"] = cookie
	}
	e.Body = url.Values{"SAMLResponse": {samlResponse}}.Encode()
	resp, err := svc.Handle(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestSignInEndsWithATokenInTheFragment(t *testing.T) {
	svc, idp := setup(t)
	location, cookie := login(t, svc)
	if !strings.HasPrefix(location, "https://portal.sso.example/sso?SAMLRequest=") {
		t.Fatalf("login redirects to %s", location)
	}
	resp := callback(t, svc, answer(t, idp.idp, location, "ada@example.com"), cookie)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("callback: %d %s", resp.StatusCode, resp.Body)
	}
	to, err := url.Parse(resp.Headers["Location"])
	if err != nil || to.Host != "app.example" || to.RawQuery != "" {
		t.Fatalf("callback redirects to %s: the token must not be in the query", resp.Headers["Location"])
	}
	frag, _ := url.ParseQuery(to.Fragment)
	c, err := auth.NewVerifier(auth.StaticKeys{Current: jwtKey.Public()}, "iss", "aud", nil).
		Verify(t.Context(), "Bearer "+frag.Get("token"))
	if err != nil || c.Email != "ada@example.com" || c.Name != "Ada" || !c.Has(routes.Manager) || !c.Has(routes.User) ||
		c.Has(routes.Admin) {
		t.Fatalf("token names %+v (%v)", c, err)
	}
	if !strings.Contains(resp.Headers["Set-Cookie"], "Max-Age=0") {
		t.Errorf("the request cookie is not cleared: %q", resp.Headers["Set-Cookie"])
	}

	t.Run("status reports the session", func(t *testing.T) {
		e := event("GET", "/auth/login/status")
		e.Headers["Authorization"] = "Bearer " + frag.Get("token")
		r, _ := svc.Handle(t.Context(), e)
		if r.StatusCode != 200 || !strings.Contains(r.Body, `"authenticated":true`) ||
			!strings.Contains(r.Body, "ada@example.com") {
			t.Errorf("status = %d %s", r.StatusCode, r.Body)
		}
		e.Headers["Authorization"] = "Bearer nope"
		r, _ = svc.Handle(t.Context(), e)
		if r.StatusCode != 200 || r.Body != `{"authenticated":false}` {
			t.Errorf("status without a valid token = %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestSignInRefuses(t *testing.T) {
	svc, idp := setup(t)
	for _, tc := range []struct {
		name string
		run  func(t *testing.T) events.APIGatewayProxyResponse
	}{
		{"an assertion without the request cookie (unsolicited or replayed elsewhere)", func(
			t *testing.T) events.APIGatewayProxyResponse {
			location, _ := login(t, svc)
			return callback(t, svc, answer(t, idp.idp, location, "ada@example.com"), "")
		}},
		{"an assertion answering another sign-in", func(t *testing.T) events.APIGatewayProxyResponse {
			location, _ := login(t, svc)
			_, otherCookie := login(t, svc)
			return callback(t, svc, answer(t, idp.idp, location, "ada@example.com"), otherCookie)
		}},
		{"a forged request cookie", func(t *testing.T) events.APIGatewayProxyResponse {
			location, cookie := login(t, svc)
			name, value, _ := strings.Cut(cookie, "=")
			parts := strings.Split(value, ".")
			parts[2] = base64.RawURLEncoding.EncodeToString(make([]byte, 32))
			return callback(t, svc, answer(t, idp.idp, location, "ada@example.com"), name+"="+strings.Join(parts, "."))
		}},
		{"an expired request cookie", func(t *testing.T) events.APIGatewayProxyResponse {
			location, cookie := login(t, svc)
			late := *svc
			late.Now = func() time.Time { return time.Now().Add(requestTTL + time.Second) }
			return callback(t, &late, answer(t, idp.idp, location, "ada@example.com"), cookie)
		}},
		{"an assertion signed by another identity provider", func(t *testing.T) events.APIGatewayProxyResponse {
			location, cookie := login(t, svc)
			rogue := newIdP(t, "portal.sso.example")
			rogue.ServiceProviderProvider = idp
			return callback(t, svc, answer(t, rogue, location, "ada@example.com"), cookie)
		}},
		{"an altered assertion", func(t *testing.T) events.APIGatewayProxyResponse {
			location, cookie := login(t, svc)
			raw, _ := base64.StdEncoding.DecodeString(answer(t, idp.idp, location, "nobody@example.com"))
			altered := strings.ReplaceAll(string(raw), "nobody@example.com", "ada@example.com")
			return callback(t, svc, base64.StdEncoding.EncodeToString([]byte(altered)), cookie)
		}},
		{"a user in no Innovation Sandbox group", func(t *testing.T) events.APIGatewayProxyResponse {
			location, cookie := login(t, svc)
			return callback(t, svc, answer(t, idp.idp, location, "nobody@example.com"), cookie)
		}},
		{"a user unknown to the Identity Store", func(t *testing.T) events.APIGatewayProxyResponse {
			location, cookie := login(t, svc)
			return callback(t, svc, answer(t, idp.idp, location, "eve@example.com"), cookie)
		}},
		{"garbage", func(t *testing.T) events.APIGatewayProxyResponse {
			_, cookie := login(t, svc)
			return callback(t, svc, base64.StdEncoding.EncodeToString([]byte("<nope/>")), cookie)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.run(t)
			if resp.StatusCode != http.StatusUnauthorized || resp.Headers["Location"] != "" {
				t.Fatalf(
					"status %d, location %q, body %s; want 401",
					resp.StatusCode,
					resp.Headers["Location"],
					resp.Body,
				)
			}
		})
	}
}

func TestTheCookieOfThePreviousKeyStillOpens(t *testing.T) {
	v, err := sealRequest(t.Context(), oldKey, oldKey.ID, "id-1", time.Now().Add(time.Minute).Unix())
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := openRequest(v, time.Now(), auth.KeySet{Current: jwtKey.Public(), Previous: oldKey.Public()}); !ok ||
		id != "id-1" {
		t.Fatalf("openRequest = %q, %v", id, ok)
	}
	if _, ok := openRequest(v, time.Now(), auth.KeySet{Current: jwtKey.Public()}); ok {
		t.Fatal("a cookie of an unknown key opened")
	}
	// Naming the current key does not make the previous key's signature
	// pass for it.
	parts := strings.Split(v, ".")
	parts[2] = base64.RawURLEncoding.EncodeToString([]byte(jwtKey.ID))
	if _, ok := openRequest(strings.Join(parts, "."), time.Now(), auth.KeySet{Current: jwtKey.Public(),
		Previous: oldKey.Public()}); ok {
		t.Fatal("a cookie relabelled with another key id opened")
	}
}

func TestLogoutRedirectsToIdentityCenter(t *testing.T) {
	svc, _ := setup(t)
	resp, err := svc.Handle(t.Context(), event("GET", "/auth/logout"))
	if err != nil || resp.StatusCode != http.StatusFound ||
		resp.Headers["Location"] != "https://portal.sso.example/logout" {
		t.Fatalf("logout = %d %v %v", resp.StatusCode, resp.Headers, err)
	}
}

type brokenConfig struct{}

func (brokenConfig) Global(context.Context) (config.Global, error) {
	return config.Global{}, errors.New("extension down")
}

func TestFaultsAre500(t *testing.T) {
	svc, _ := setup(t)
	svc.Config = brokenConfig{}
	resp, _ := svc.Handle(t.Context(), event("GET", "/auth/login"))
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(resp.Body, `"status":"error"`) {
		t.Fatalf("login with broken configuration = %d %s", resp.StatusCode, resp.Body)
	}
}

func TestParseMetadataRefusesNonMetadata(t *testing.T) {
	for _, doc := range []string{"", "<x/>", "PASTE THE IDENTITY CENTER METADATA HERE"} {
		if _, err := ParseMetadata([]byte(doc)); err == nil {
			t.Errorf("ParseMetadata(%q) succeeded", doc)
		}
	}
}

// tokenOf returns the session token of a successful callback.
func tokenOf(t *testing.T, resp events.APIGatewayProxyResponse) string {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("callback: %d %s", resp.StatusCode, resp.Body)
	}
	to, err := url.Parse(resp.Headers["Location"])
	if err != nil {
		t.Fatal(err)
	}
	frag, _ := url.ParseQuery(to.Fragment)
	if frag.Get("token") == "" {
		t.Fatalf("no token in %s", resp.Headers["Location"])
	}
	return frag.Get("token")
}

func TestASignInIsOneTime(t *testing.T) {
	svc, idp := setup(t)
	location, cookie := login(t, svc)
	samlResponse := answer(t, idp.idp, location, "ada@example.com")
	tokenOf(t, callback(t, svc, samlResponse, cookie))

	t.Run("the same cookie and response again are refused", func(t *testing.T) {
		resp := callback(t, svc, samlResponse, cookie)
		if resp.StatusCode != http.StatusUnauthorized || resp.Headers["Location"] != "" {
			t.Fatalf("replay: %d %v %s; want 401", resp.StatusCode, resp.Headers, resp.Body)
		}
	})
	t.Run("a new sign-in of the same user succeeds", func(t *testing.T) {
		location, cookie := login(t, svc)
		tokenOf(t, callback(t, svc, answer(t, idp.idp, location, "ada@example.com"), cookie))
	})
}

func TestTheTokenCarriesTheNormalisedEmail(t *testing.T) {
	svc, idp := setup(t)
	location, cookie := login(t, svc)
	tok := tokenOf(t, callback(t, svc, answer(t, idp.idp, location, "Grace@Example.COM"), cookie))
	c, err := auth.NewVerifier(auth.StaticKeys{Current: jwtKey.Public()}, "iss", "aud", nil).
		Verify(t.Context(), "Bearer "+tok)
	if err != nil || c.Email != "grace@example.com" || c.Name != "Grace" {
		t.Fatalf("token names %+v (%v), want grace@example.com", c, err)
	}

	t.Run("a non-ASCII NameID is refused even when the directory knows it", func(t *testing.T) {
		location, cookie := login(t, svc)
		resp := callback(t, svc, answer(t, idp.idp, location, "ſam@example.com"), cookie)
		if resp.StatusCode != http.StatusUnauthorized || resp.Headers["Location"] != "" {
			t.Fatalf("status %d %v %s; want 401", resp.StatusCode, resp.Headers, resp.Body)
		}
	})
}

func TestLogoutRevokesTheToken(t *testing.T) {
	svc, idp := setup(t)
	signIn := func() string {
		location, cookie := login(t, svc)
		return "Bearer " + tokenOf(t, callback(t, svc, answer(t, idp.idp, location, "ada@example.com"), cookie))
	}
	status := func(authorization string) string {
		e := event("GET", "/auth/login/status")
		e.Headers["Authorization"] = authorization
		r, _ := svc.Handle(t.Context(), e)
		return r.Body
	}
	logout := func(headers map[string]string) events.APIGatewayProxyResponse {
		e := event("GET", "/auth/logout")
		for k, v := range headers {
			e.Headers[k] = v
		}
		r, err := svc.Handle(t.Context(), e)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first, second := signIn(), signIn()
	if !strings.Contains(status(first), `"authenticated":true`) {
		t.Fatalf("status before logout: %s", status(first))
	}
	r := logout(map[string]string{"Authorization": first})
	if r.StatusCode != http.StatusFound || r.Headers["Location"] != "https://portal.sso.example/logout" {
		t.Fatalf("logout = %d %v", r.StatusCode, r.Headers)
	}
	if got := status(first); got != `{"authenticated":false}` {
		t.Errorf("status of the token after logout: %s", got)
	}
	v := auth.NewVerifier(auth.StaticKeys{Current: jwtKey.Public()}, "iss", "aud", nil).CheckRevocations(svc.Sessions)
	if _, err := v.Verify(t.Context(), first); !errors.Is(err, auth.ErrRevoked) {
		t.Errorf("verifying the token after logout: %v, want ErrRevoked", err)
	}
	if _, err := v.Verify(t.Context(), second); err != nil {
		t.Errorf("another session of the same user ended too: %v", err)
	}
	mem := svc.Sessions.(*memSessions)
	sess, _ := auth.NewVerifier(auth.StaticKeys{Current: jwtKey.Public()}, "iss", "aud", nil).
		VerifySession(t.Context(), first)
	if until := mem.revoked[sess.ID]; !until.Equal(sess.ExpiresAt.Add(auth.Leeway)) {
		t.Errorf("revoked until %v, want the token's expiry plus the leeway %v", until, sess.ExpiresAt.Add(auth.Leeway))
	}

	t.Run("logging out again, or without a token, still signs out of Identity Center", func(t *testing.T) {
		for _, h := range []map[string]string{{"Authorization": first}, {}, {"Authorization": "Bearer forged"}} {
			if r := logout(h); r.StatusCode != http.StatusFound ||
				r.Headers["Location"] != "https://portal.sso.example/logout" {
				t.Errorf("logout with %v = %d %v", h, r.StatusCode, r.Headers)
			}
		}
	})
	t.Run("two different tokens are refused and revoke nothing", func(t *testing.T) {
		r := logout(map[string]string{"Authorization": second, "authorization": first})
		if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, `"invalid token"`) {
			t.Fatalf("logout = %d %s", r.StatusCode, r.Body)
		}
		if _, err := v.Verify(t.Context(), second); err != nil {
			t.Errorf("the second token: %v", err)
		}
	})
}
