package awsauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// signed presigns GetCallerIdentity for deployment with static keys, at
// now unless presigner says otherwise (no network: presigning is local).
func signed(t *testing.T, region, deployment string, opts ...func(*sts.PresignOptions)) Request {
	t.Helper()
	c := sts.New(sts.Options{Region: region, Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret"}, nil
		})})
	opts = append([]func(*sts.PresignOptions){func(o *sts.PresignOptions) {
		o.Presigner = FixedTimePresigner{At: now}
	}}, opts...)
	r, err := Presign(t.Context(), c, deployment, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCheckAcceptsWhatTheSDKPresignsAndRebuildsItAgainstTheAllowedEndpoint(t *testing.T) {
	p := Policy{Deployment: "isb", Endpoints: Endpoints("eu-west-1", ""), Now: now.Add(14 * time.Minute)}
	for _, tc := range []struct {
		name string
		req  Request
	}{
		{"a query presign", signed(t, "eu-west-1", "isb")},
		{"a header signature", signed(t, "eu-west-1", "isb",
			func(o *sts.PresignOptions) { o.Presigner = HeaderPresigner{At: now} })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Check(tc.req, p)
			if err != nil {
				t.Fatal(err)
			}
			if out.URL.Host != "sts.eu-west-1.amazonaws.com" || out.URL.Scheme != "https" ||
				out.Header.Get(DeploymentHeader) != "isb" {
				t.Errorf("rebuilt request %s %v", out.URL, out.Header)
			}
		})
	}
}

func TestCheckRefuses(t *testing.T) {
	p := Policy{Deployment: "isb", Endpoints: Endpoints("eu-west-1", ""), Now: now}
	good := func(mod func(*Request)) Request {
		r := signed(t, "eu-west-1", "isb")
		mod(&r)
		return r
	}
	for _, tc := range []struct {
		name   string
		req    Request
		policy func(*Policy)
		status int
		says   string
	}{
		{"a signature older than 15 minutes", signed(t, "eu-west-1", "isb"),
			func(p *Policy) { p.Now = now.Add(16 * time.Minute) }, http.StatusUnauthorized, "signing time"},
		{"a signature dated 16 minutes ahead", signed(t, "eu-west-1", "isb"),
			func(p *Policy) { p.Now = now.Add(-16 * time.Minute) }, http.StatusUnauthorized, "signing time"},
		{"another region's endpoint", signed(t, "us-east-1", "isb"), nil, http.StatusUnauthorized,
			"not an STS endpoint"},
		{"a host that only ends like an endpoint", good(func(r *Request) {
			r.URL = strings.Replace(r.URL, "sts.eu-west-1.amazonaws.com", "evil.example/sts.eu-west-1.amazonaws.com", 1)
		}), nil, http.StatusUnauthorized, "not an STS endpoint"},
		{"a user in the URL", good(func(r *Request) {
			r.URL = strings.Replace(r.URL, "https://", "https://me@", 1)
		}), nil, http.StatusUnauthorized, "not an STS endpoint"},
		{"another deployment", signed(t, "eu-west-1", "other"), nil, http.StatusUnauthorized, DeploymentHeader},
		{"two deployment headers", good(func(r *Request) {
			r.Headers[DeploymentHeader] = append(r.Headers[DeploymentHeader], "isb")
		}), nil, http.StatusUnauthorized, DeploymentHeader},
		{"another action", good(func(r *Request) {
			r.URL = strings.Replace(r.URL, "Action=GetCallerIdentity", "Action=AssumeRole", 1)
		}), nil, http.StatusUnauthorized, "only sts:GetCallerIdentity"},
		{"an extra parameter", good(func(r *Request) { r.URL += "&RoleArn=x" }), nil, http.StatusUnauthorized,
			"RoleArn"},
		{"a DELETE", good(func(r *Request) { r.Method = "DELETE" }), nil, http.StatusBadRequest, "method"},
		{"a relative URL", good(func(r *Request) { r.URL = "/?Action=GetCallerIdentity" }), nil,
			http.StatusBadRequest, "url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol := p
			if tc.policy != nil {
				tc.policy(&pol)
			}
			_, err := Check(tc.req, pol)
			var r *Refusal
			if !errors.As(err, &r) || r.Status != tc.status || !strings.Contains(r.Message, tc.says) {
				t.Errorf("Check = %v; want %d saying %q", err, tc.status, tc.says)
			}
		})
	}
}

func TestEndpointsFollowThePartition(t *testing.T) {
	for _, tc := range []struct{ region, extra, want string }{
		{"eu-west-1", "", "https://sts.amazonaws.com https://sts.eu-west-1.amazonaws.com"},
		{"cn-north-1", "", "https://sts.cn-north-1.amazonaws.com.cn"},
		{"us-gov-west-1", "", "https://sts.us-gov-west-1.amazonaws.com"},
		{"us-east-1", "http://127.0.0.1:5000/", "https://sts.amazonaws.com https://sts.us-east-1.amazonaws.com " +
			"http://127.0.0.1:5000"},
	} {
		if got := strings.Join(Endpoints(tc.region, tc.extra), " "); got != tc.want {
			t.Errorf("Endpoints(%q, %q) = %s, want %s", tc.region, tc.extra, got, tc.want)
		}
	}
}

func TestCheckAcceptsAPostSignedInItsHeaderAsTheREADMEMakesIt(t *testing.T) {
	form := "Action=GetCallerIdentity&Version=2011-06-15"
	r, _ := http.NewRequest(http.MethodPost, "https://sts.eu-west-1.amazonaws.com/", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set(DeploymentHeader, "isb")
	sum := sha256.Sum256([]byte(form))
	if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "s"},
		r, hex.EncodeToString(sum[:]), "sts", "eu-west-1", now); err != nil {
		t.Fatal(err)
	}
	req := Request{Method: "POST", URL: r.URL.String(), Headers: r.Header, Body: form}
	out, err := Check(req, Policy{Deployment: "isb", Endpoints: Endpoints("eu-west-1", ""), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if out.Method != http.MethodPost || out.Header.Get("Authorization") == "" {
		t.Errorf("rebuilt %s with headers %v", out.Method, out.Header)
	}
	req.Body = form + "&Action=AssumeRole"
	if _, err := Check(req, Policy{Deployment: "isb", Endpoints: Endpoints("eu-west-1", ""), Now: now}); err == nil {
		t.Error("a body with a second action was accepted")
	}
}
