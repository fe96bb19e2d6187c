package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/auth/kmssign"
	"github.com/isb-go/isb/common/awsauth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/functions/authorizer/gate"
	"github.com/isb-go/isb/functions/sso/signin"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

// machineConfig is the global configuration with maintenance mode off and
// the machine identities a test sets.
type machineConfig struct {
	mu  sync.Mutex
	ids []config.MachineIdentity
}

func (c *machineConfig) Global(context.Context) (config.Global, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := config.DefaultGlobal()
	g.MaintenanceMode = false
	g.Auth.MachineIdentities = c.ids
	return g, nil
}

func (c *machineConfig) set(ids ...config.MachineIdentity) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids = ids
}

// withCredentials is cfg signing as the given keys.
func withCredentials(cfg aws.Config, id, secret, token string) aws.Config {
	c := cfg.Copy()
	c.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}, nil
	})
	return c
}

// machineWorld is an IAM user and a session of an assumed role (with a
// path) in the emulator, the sign-in service and the authorizer over one
// configuration.
type machineWorld struct {
	user, session aws.Config
	conf          *machineConfig
	sso           *signin.Service
	authorizer    *gate.Handler
}

func newMachineWorld(t *testing.T) *machineWorld {
	cfg := emulator.Config(t)
	createSecret(t, cfg, time.Now().Add(-time.Hour))
	ctx := t.Context()
	im := iam.NewFromConfig(cfg)
	if _, err := im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci-bot")}); err != nil {
		t.Fatal(err)
	}
	key, err := im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci-bot")})
	if err != nil {
		t.Fatal(err)
	}
	user := withCredentials(cfg, *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")
	role, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"), Path: aws.String("/team/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	assumed, err := sts.NewFromConfig(user).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn,
		RoleSessionName: aws.String("build-7")})
	if err != nil {
		t.Fatal(err)
	}
	c := assumed.Credentials
	session := withCredentials(cfg, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)

	keys := auth.NewSecretKeys(secretsmanager.NewFromConfig(cfg), secretName, 0, nil)
	conf := &machineConfig{}
	return &machineWorld{
		user: user, session: session, conf: conf,
		sso: &signin.Service{
			Keys: keys, Signer: kmssign.Signer{Client: kms.NewFromConfig(cfg)}, Config: conf,
			Issuer: issuer, Audience: audience, Now: time.Now,
			Machine: signin.Machine{
				Deployment: fixture.Namespace, Endpoints: awsauth.Endpoints("us-east-1", emulator.URL()),
				Client: awsauth.NewClient(),
			},
		},
		authorizer: gate.New(auth.NewVerifier(keys, issuer, audience, nil), conf, &noFaults{}),
	}
}

// signIn posts body to POST /auth/aws.
func (w *machineWorld) signIn(t *testing.T, body any) (int, map[string]any) {
	t.Helper()
	raw, ok := body.(string)
	if !ok {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
	}
	resp, err := w.sso.Handle(t.Context(), events.APIGatewayProxyRequest{HTTPMethod: "POST", Path: "/auth/aws",
		Body: raw})
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
		t.Fatalf("answer %d is not JSON: %s", resp.StatusCode, resp.Body)
	}
	return resp.StatusCode, out
}

// authorize asks the authorizer about GET /leases with token.
func (w *machineWorld) authorize(t *testing.T, token string) string {
	t.Helper()
	resp, err := w.authorizer.Handle(t.Context(), events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", HTTPMethod: "GET", Path: "/leases", Headers: map[string]string{"Authorization": token},
		MethodArn: "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/leases",
	})
	if errors.Is(err, gate.ErrUnauthorized) {
		return "401"
	}
	if err != nil {
		t.Fatal(err)
	}
	return resp.PolicyDocument.Statement[0].Effect
}

func presign(t *testing.T, cfg aws.Config, deployment string, opts ...func(*sts.PresignOptions)) awsauth.Request {
	t.Helper()
	req, err := awsauth.Presign(t.Context(), sts.NewFromConfig(cfg), deployment, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// presignBare signs in the header without the deployment header.
func presignBare(t *testing.T, cfg aws.Config) awsauth.Request {
	t.Helper()
	out, err := sts.NewPresignClient(sts.NewFromConfig(cfg)).PresignGetCallerIdentity(t.Context(),
		&sts.GetCallerIdentityInput{}, inHeader(time.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	return awsauth.Request{Method: out.Method, URL: out.URL, Headers: out.SignedHeader}
}

// inHeader signs in the Authorization header: the emulator routes a
// request to its STS, and names the caller, only from there (a query
// signature on the emulator's bare host reaches no service), so every
// sign-in that must reach STS signs so. The query form is checked by the
// same code up to the replay (the stale query signature below).
func inHeader(at time.Time) func(*sts.PresignOptions) {
	return func(o *sts.PresignOptions) { o.Presigner = awsauth.HeaderPresigner{At: at} }
}

var (
	ciUser = config.MachineIdentity{Principal: "arn:aws:iam::123456789012:user/ci-bot", Owner: "bot@example.com",
		MaxLeases: 10}
	ciRole = config.MachineIdentity{Principal: "arn:aws:iam::123456789012:role/team/ci", Owner: "ci@example.com",
		Role: "Manager"}
)

func TestMachineSignInMapsAnIAMUserAndAnAssumedRoleToATokenTheAuthorizerAccepts(t *testing.T) {
	w := newMachineWorld(t)
	w.conf.set(ciUser, ciRole)
	for _, tc := range []struct {
		name             string
		cfg              aws.Config
		principal, owner string
		role             string
	}{
		{"an IAM user", w.user, "arn:aws:iam::123456789012:user/ci-bot", "bot@example.com", "User"},
		{"an assumed-role session", w.session, "arn:aws:sts::123456789012:assumed-role/ci/build-7",
			"ci@example.com", "Manager"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := w.signIn(t, presign(t, tc.cfg, fixture.Namespace, inHeader(time.Time{})))
			if status != http.StatusOK {
				t.Fatalf("sign-in = %d %v", status, out)
			}
			data := out["data"].(map[string]any)
			if data["principal"] != tc.principal || data["owner"] != tc.owner || data["role"] != tc.role {
				t.Errorf("signed in as %v", data)
			}
			exp, err := time.Parse(time.RFC3339, data["expiresAt"].(string))
			if err != nil || time.Until(exp) > time.Hour {
				t.Errorf("expiresAt %v (%v): want at most an hour away", data["expiresAt"], err)
			}
			token := "Bearer " + data["token"].(string)
			if got := w.authorize(t, token); got != "Allow" {
				t.Errorf("the authorizer says %s to the token", got)
			}
			c, err := auth.NewVerifier(w.sso.Keys, issuer, audience, nil).Verify(t.Context(), token)
			if err != nil || c.Principal != tc.principal || c.Email != tc.owner {
				t.Errorf("token names %+v (%v)", c, err)
			}
		})
	}
	t.Run("a token is refused once its mapping is removed", func(t *testing.T) {
		_, out := w.signIn(t, presign(t, w.user, fixture.Namespace, inHeader(time.Time{})))
		token := "Bearer " + out["data"].(map[string]any)["token"].(string)
		w.conf.set(ciRole)
		if got := w.authorize(t, token); got != "401" {
			t.Errorf("after the mapping is removed the authorizer says %s, want 401", got)
		}
	})
}

func TestMachineSignInRefuses(t *testing.T) {
	w := newMachineWorld(t)
	w.conf.set(ciRole)
	var foreignHits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		foreignHits.Add(1)
		rw.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(foreign.Close)
	good := func() awsauth.Request { return presign(t, w.session, fixture.Namespace, inHeader(time.Time{})) }
	withURL := func(f func(u *url.URL)) awsauth.Request {
		r := good()
		u, _ := url.Parse(r.URL)
		f(u)
		r.URL = u.String()
		return r
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		says   string
	}{
		{"an unmapped principal", presign(t, w.user, fixture.Namespace, inHeader(time.Time{})),
			http.StatusForbidden, "may not sign in"},
		{"a signature 16 minutes old", presign(t, w.session, fixture.Namespace,
			inHeader(time.Now().Add(-16*time.Minute))), http.StatusUnauthorized, "signing time"},
		{"a signature 16 minutes old, presigned in the query", presign(t, w.session, fixture.Namespace,
			func(o *sts.PresignOptions) {
				o.Presigner = awsauth.FixedTimePresigner{At: time.Now().Add(-16 * time.Minute)}
			}), http.StatusUnauthorized, "signing time"},
		{"a foreign host", withURL(func(u *url.URL) { u.Host = strings.TrimPrefix(foreign.URL, "http://") }),
			http.StatusUnauthorized, "not an STS endpoint"},
		{"the global STS endpoint over http", withURL(func(u *url.URL) { u.Scheme, u.Host = "http", "sts.amazonaws.com" }),
			http.StatusUnauthorized, "not an STS endpoint"},
		{"a path on the endpoint", withURL(func(u *url.URL) { u.Path = "/other" }),
			http.StatusUnauthorized, "not an STS endpoint"},
		{"a missing deployment header", presignBare(t, w.session), http.StatusUnauthorized, "X-Isb-Deployment"},
		{"another deployment's header", presign(t, w.session, "other", inHeader(time.Time{})),
			http.StatusUnauthorized, "X-Isb-Deployment"},
		{"an unsigned deployment header", func() awsauth.Request {
			r := presignBare(t, w.session)
			r.Headers[awsauth.DeploymentHeader] = []string{fixture.Namespace}
			return r
		}(), http.StatusUnauthorized, "must be signed"},
		{"another STS action", withURL(func(u *url.URL) {
			q := u.Query()
			q.Set("Action", "AssumeRole")
			u.RawQuery = q.Encode()
		}), http.StatusUnauthorized, "only sts:GetCallerIdentity"},
		{"a second action in the body", func() awsauth.Request {
			r := good()
			r.Body = "Action=AssumeRole"
			return r
		}(), http.StatusUnauthorized, "only sts:GetCallerIdentity"},
		{"a body that is not JSON", "{", http.StatusBadRequest, "body"},
		{"a body with an unknown field", `{"method":"GET","url":"https://sts.amazonaws.com/","extra":1}`,
			http.StatusBadRequest, "body"},
		{"a body without a url", `{"method":"GET"}`, http.StatusBadRequest, "url"},
		{"an unsigned request", awsauth.Request{Method: "GET",
			URL: emulator.URL() + "/?Action=GetCallerIdentity&Version=2011-06-15"}, http.StatusBadRequest, "SigV4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := w.signIn(t, tc.body)
			b, _ := json.Marshal(out)
			if status != tc.status || !strings.Contains(string(b), tc.says) {
				t.Errorf("sign-in = %d %s; want %d saying %q", status, b, tc.status, tc.says)
			}
			if strings.Contains(string(b), "token") {
				t.Errorf("a refusal carries a token: %s", b)
			}
		})
	}
	if n := foreignHits.Load(); n != 0 {
		t.Errorf("the foreign host received %d requests", n)
	}
}
