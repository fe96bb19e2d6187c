// Package awsauth checks a machine sign-in: a presigned (or header-signed)
// sts:GetCallerIdentity request a CI job sends, which the server replays to
// STS to learn who signed it, as Vault's AWS auth method does. No secret is
// shared: the caller proves its identity to AWS, and AWS tells us.
//
// Before anything is sent, Check refuses a request that could make the
// server call a host the caller chose, carry another STS action, be
// replayed against another deployment or be older (or newer) than the
// signing window. The request sent is rebuilt against the allow-listed
// endpoint; nothing of the caller's URL but its query reaches it.
package awsauth

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// DeploymentHeader names the deployment a signed request is meant for; it
// must be among the signed headers, so a request made for one deployment
// cannot be replayed against another.
const DeploymentHeader = "X-Isb-Deployment"

// Window bounds how far the signing time may be from now, either way.
const Window = 15 * time.Minute

// MaxBodyBytes bounds the signed request's body.
const MaxBodyBytes = 4 << 10

// Request is the body of POST /auth/aws: a signed GetCallerIdentity
// request. Headers are as Go's http.Header marshals them; the SDK's
// presign client returns URL, Method and SignedHeader in this shape.
type Request struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

// Refusal is a sign-in the caller cannot complete; Message is safe to show.
type Refusal struct {
	Status  int
	Message string
}

func (r *Refusal) Error() string { return r.Message }

func badRequest(format string, a ...any) error {
	return &Refusal{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, a...)}
}

func unauthorized(format string, a ...any) error {
	return &Refusal{Status: http.StatusUnauthorized, Message: fmt.Sprintf(format, a...)}
}

// Policy is what a signed request must satisfy.
type Policy struct {
	// Deployment is this deployment's name (the namespace).
	Deployment string
	// Endpoints are the STS endpoints that may be contacted, as
	// scheme://host (Endpoints builds them).
	Endpoints []string
	Now       time.Time
}

// Endpoints returns the STS endpoints of region's partition: the global
// one (aws partition only) and the regional one, plus extra (the local
// emulator) when set.
func Endpoints(region, extra string) []string {
	var out []string
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	} else if !strings.HasPrefix(region, "us-gov-") {
		out = append(out, "https://sts."+suffix)
	}
	if region != "" {
		out = append(out, "https://sts."+region+"."+suffix)
	}
	if extra != "" {
		out = append(out, strings.TrimRight(extra, "/"))
	}
	return out
}

// allowedQuery are the parameters a GetCallerIdentity request may carry.
var allowedQuery = []string{
	"Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token",
}

// Check validates r against p and returns the request to send to STS.
func Check(r Request, p Policy) (*http.Request, error) {
	method := strings.ToUpper(r.Method)
	if method != http.MethodGet && method != http.MethodPost {
		return nil, badRequest("method: must be GET or POST")
	}
	if len(r.Body) > MaxBodyBytes {
		return nil, badRequest("body: longer than %d bytes", MaxBodyBytes)
	}
	u, err := url.Parse(r.URL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, badRequest("url: must be an absolute URL of an STS endpoint")
	}
	base := strings.ToLower(u.Scheme + "://" + u.Host)
	i := slices.Index(p.Endpoints, base)
	if i < 0 || u.User != nil || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return nil, unauthorized("url: not an STS endpoint of this deployment's partition")
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, badRequest("url: malformed query")
	}
	params := url.Values{}
	for k, vs := range query {
		if !slices.Contains(allowedQuery, k) {
			return nil, unauthorized("url: parameter %q is not part of a GetCallerIdentity request", k)
		}
		params[k] = append(params[k], vs...)
	}
	if r.Body != "" {
		form, err := url.ParseQuery(r.Body)
		if err != nil {
			return nil, badRequest("body: not a form-encoded STS request")
		}
		for k, vs := range form {
			if k != "Action" && k != "Version" {
				return nil, unauthorized("body: parameter %q is not part of a GetCallerIdentity request", k)
			}
			params[k] = append(params[k], vs...)
		}
	}
	if a := params["Action"]; len(a) != 1 || a[0] != "GetCallerIdentity" {
		return nil, unauthorized("only sts:GetCallerIdentity is accepted")
	}
	headers := http.Header{}
	for k, vs := range r.Headers {
		headers[http.CanonicalHeaderKey(k)] = append(headers[http.CanonicalHeaderKey(k)], vs...)
	}
	signed, date, err := signature(query, headers)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(signed, strings.ToLower(DeploymentHeader)) {
		return nil, unauthorized("headers: %s must be signed", DeploymentHeader)
	}
	if d := headers.Values(DeploymentHeader); len(d) != 1 || d[0] != p.Deployment {
		return nil, unauthorized("headers: %s does not name this deployment", DeploymentHeader)
	}
	at, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		return nil, badRequest("X-Amz-Date: not a signing time such as 20260102T150405Z")
	}
	if d := p.Now.Sub(at); d > Window || d < -Window {
		return nil, unauthorized("signing time is more than %s away from now: sign a new request", Window)
	}
	// Rebuilt against the allow-listed endpoint: only the query, the
	// headers and the body come from the caller.
	to := p.Endpoints[i] + "/"
	if u.RawQuery != "" {
		to += "?" + u.RawQuery
	}
	out, err := http.NewRequest(method, to, strings.NewReader(r.Body))
	if err != nil {
		return nil, badRequest("url: %v", err)
	}
	for k, vs := range headers {
		switch k {
		case "Host", "Content-Length", "Connection", "Transfer-Encoding":
			continue
		}
		out.Header[k] = vs
	}
	return out, nil
}

// signature returns the signed header names and the signing time of a
// SigV4 request signed in its query (presigned) or its Authorization
// header.
func signature(query url.Values, h http.Header) (signed []string, date string, err error) {
	if query.Get("X-Amz-Algorithm") != "" {
		if query.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" || query.Get("X-Amz-Signature") == "" {
			return nil, "", badRequest("url: not a SigV4 presigned request")
		}
		return strings.Split(query.Get("X-Amz-SignedHeaders"), ";"), query.Get("X-Amz-Date"), nil
	}
	authz := h.Get("Authorization")
	rest, ok := strings.CutPrefix(authz, "AWS4-HMAC-SHA256 ")
	if !ok {
		return nil, "", badRequest("the request is not signed with SigV4 (in its query or Authorization header)")
	}
	for _, part := range strings.Split(rest, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "SignedHeaders="); ok {
			signed = strings.Split(v, ";")
		}
	}
	if signed == nil {
		return nil, "", badRequest("headers: Authorization names no SignedHeaders")
	}
	return signed, h.Get("X-Amz-Date"), nil
}
