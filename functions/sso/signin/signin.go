// Package signin is the SSO handler: SAML 2.0 sign-in with IAM Identity
// Center that ends in one of our session tokens (common/auth).
//
//   - GET /auth/login redirects to Identity Center with an AuthnRequest and
//     sets a short-lived, signed cookie naming the request, so the answer
//     can be matched to it (no unsolicited assertions, no replays).
//   - POST /auth/login/callback validates the SAMLResponse (signature by the
//     Identity Center certificate, audience, destination, time window,
//     InResponseTo), looks the user up in the Identity Store, derives the
//     roles from their group membership and redirects to the web app with
//     the token in the URL fragment. Browsers never send a fragment to a
//     server, so the token reaches no access log, proxy or Referer header
//     (upstream put it in the query string).
//   - GET /auth/login/status reports whether the bearer token is valid.
//   - GET /auth/logout revokes the bearer token, if one comes with it (its
//     "jti" goes on the deny-list the authorizer and the handlers check),
//     and redirects to the Identity Center sign-out URL.
//
// A sign-in is one-time: the request id of a completed sign-in is recorded
// until the request cookie could no longer be valid, and a replay of the
// cookie with the same SAMLResponse within that window is refused.
package signin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/crewjam/saml"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	emailpkg "github.com/isb-go/isb/common/email"
	"github.com/isb-go/isb/common/routes"
)

// RequestCookie carries the pending AuthnRequest id between the redirect
// and the callback.
const RequestCookie = "isb_saml_request"

// requestTTL bounds the time between the redirect and the callback.
const requestTTL = 10 * time.Minute

// GlobalConfig gives the auth settings (URLs, session duration).
type GlobalConfig interface {
	Global(ctx context.Context) (config.Global, error)
}

// MetadataSource gives the Identity Center SAML application's metadata
// (its entity id, sign-in URL and signing certificate).
type MetadataSource interface {
	Metadata(ctx context.Context) (*saml.EntityDescriptor, error)
}

// CallerLookup names the user behind an email, with their roles.
type CallerLookup interface {
	Caller(ctx context.Context, email string) (auth.Caller, error)
}

// Sessions records used sign-in requests and revoked tokens
// (ddbstore.SessionStore).
type Sessions interface {
	// UseSignIn is ddbstore.ErrSignInUsed for a request id used before.
	UseSignIn(ctx context.Context, requestID string, until time.Time) error
	Revoke(ctx context.Context, tokenID string, until time.Time) error
	Revoked(ctx context.Context, tokenID string) (bool, error)
}

// Service answers the /auth routes.
type Service struct {
	// Keys are the published public keys: the current one names the key
	// Signer signs with (this function alone may), both verify.
	Keys     auth.KeySource
	Signer   auth.Signer
	Config   GlobalConfig
	IdP      MetadataSource
	Callers  CallerLookup
	Sessions Sessions
	Issuer   string
	Audience string
	Now      func() time.Time
	// Machine is the AWS identity sign-in (POST /auth/aws).
	Machine Machine
}

// Handle serves one API Gateway proxy event.
func (s *Service) Handle(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	r, _, ok := routes.Match(e.HTTPMethod, e.Path)
	if !ok || r.Family != routes.Auth {
		return jsonResponse(
			http.StatusNotFound,
			map[string]any{
				"status": "fail",
				"data":   map[string]any{"errors": []any{map[string]string{"message": "no such route"}}},
			},
		), nil
	}
	var resp events.APIGatewayProxyResponse
	var err error
	switch r.Method + " " + r.Path {
	case "GET /auth/login":
		resp, err = s.login(ctx, e)
	case "POST /auth/login/callback":
		resp, err = s.callback(ctx, e)
	case "GET /auth/login/status":
		resp, err = s.status(ctx, e)
	case "GET /auth/logout":
		resp, err = s.logout(ctx, e)
	case "POST /auth/aws":
		resp, err = s.machine(ctx, e)
	}
	if err != nil {
		var refused *refusal
		if errors.As(err, &refused) {
			slog.InfoContext(ctx, "sign-in refused", "path", e.Path, "reason", refused.reason)
			return jsonResponse(http.StatusUnauthorized, map[string]any{"status": "fail", "data": map[string]any{
				"errors": []any{map[string]string{"message": refused.message}},
			}}), nil
		}
		slog.ErrorContext(ctx, "sign-in failed", "path", e.Path, "error", err)
		return jsonResponse(
			http.StatusInternalServerError,
			map[string]any{"status": "error", "message": "An unexpected error occurred."},
		), nil
	}
	return resp, nil
}

// refusal is a sign-in the user cannot complete (401), as opposed to a
// fault (500).
type refusal struct{ reason, message string }

func (r *refusal) Error() string { return r.reason }

func refuse(reason string) error {
	return &refusal{reason: reason, message: "Sign-in failed: start again from the sign-in page"}
}

// ServiceProvider is our side of the SAML application for a callback URL.
func (s *Service) ServiceProvider(ctx context.Context, acs url.URL) (*saml.ServiceProvider, config.Auth, error) {
	g, err := s.Config.Global(ctx)
	if err != nil {
		return nil, config.Auth{}, fmt.Errorf("read global configuration: %w", err)
	}
	if g.Auth.IdpAudience == "" || g.Auth.WebAppURL == "" {
		return nil, config.Auth{}, errors.New(
			"auth.idpAudience and auth.webAppUrl must be set in the global configuration",
		)
	}
	md, err := s.IdP.Metadata(ctx)
	if err != nil {
		return nil, config.Auth{}, fmt.Errorf("read identity provider metadata: %w", err)
	}
	return &saml.ServiceProvider{
		EntityID: g.Auth.IdpAudience, AcsURL: acs, IDPMetadata: md,
		AllowIDPInitiated: false, AuthnNameIDFormat: saml.EmailAddressNameIDFormat,
	}, g.Auth, nil
}

// CallbackURL is the assertion consumer URL of a request: the API's own
// address (stage included on an execute-api host).
func CallbackURL(e events.APIGatewayProxyRequest) url.URL {
	host := e.RequestContext.DomainName
	path := "/auth/login/callback"
	if strings.Contains(host, ".execute-api.") && e.RequestContext.Stage != "" {
		path = "/" + e.RequestContext.Stage + path
	}
	return url.URL{Scheme: "https", Host: host, Path: path}
}

func (s *Service) login(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	sp, _, err := s.ServiceProvider(ctx, CallbackURL(e))
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	req, err := sp.MakeAuthenticationRequest(
		sp.GetSSOBindingLocation(saml.HTTPRedirectBinding),
		saml.HTTPRedirectBinding,
		saml.HTTPPostBinding,
	)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("make AuthnRequest: %w", err)
	}
	to, err := req.Redirect("", sp)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("redirect AuthnRequest: %w", err)
	}
	keys, err := s.Keys.Keys(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	exp := s.Now().Add(requestTTL).Unix()
	sealed, err := sealRequest(ctx, s.Signer, keys.Current.ID, req.ID, exp)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	cookie := fmt.Sprintf("%s=%s; Path=/; Max-Age=%d; HttpOnly; Secure; SameSite=None",
		RequestCookie, sealed, int(requestTTL.Seconds()))
	return redirect(to.String(), cookie), nil
}

func (s *Service) callback(
	ctx context.Context,
	e events.APIGatewayProxyRequest,
) (events.APIGatewayProxyResponse, error) {
	body := e.Body
	if e.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return events.APIGatewayProxyResponse{}, refuse("body is not base64")
		}
		body = string(b)
	}
	form, err := url.ParseQuery(body)
	if err != nil || form.Get("SAMLResponse") == "" {
		return events.APIGatewayProxyResponse{}, refuse("no SAMLResponse")
	}
	keys, err := s.Keys.Keys(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	requestID, ok := openRequest(cookie(e, RequestCookie), s.Now(), keys)
	if !ok {
		return events.APIGatewayProxyResponse{}, refuse(
			"no valid request cookie: sign-in not started here, or too slow",
		)
	}
	acs := CallbackURL(e)
	sp, authCfg, err := s.ServiceProvider(ctx, acs)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		return events.APIGatewayProxyResponse{}, refuse("SAMLResponse is not base64")
	}
	assertion, err := sp.ParseXMLResponse(raw, []string{requestID}, acs)
	if err != nil {
		var inv *saml.InvalidResponseError
		if errors.As(err, &inv) {
			return events.APIGatewayProxyResponse{}, refuse("invalid SAML response: " + inv.PrivateErr.Error())
		}
		return events.APIGatewayProxyResponse{}, refuse("invalid SAML response: " + err.Error())
	}
	nameID := ""
	if assertion.Subject != nil && assertion.Subject.NameID != nil {
		nameID = strings.TrimSpace(assertion.Subject.NameID.Value)
	}
	email, err := emailpkg.Normalize(nameID)
	if err != nil {
		return events.APIGatewayProxyResponse{}, refuse(fmt.Sprintf("NameID %q: %v", nameID, err))
	}
	// The cookie lives at most requestTTL, so a record of that length
	// covers every replay the cookie check would let through.
	if err := s.Sessions.UseSignIn(ctx, requestID, s.Now().Add(requestTTL)); errors.Is(err, ddbstore.ErrSignInUsed) {
		return events.APIGatewayProxyResponse{}, refuse("sign-in request " + requestID + " already used: a replay")
	} else if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	// The Identity Store is asked with the address as Identity Center
	// spelled it; the token carries the normalised one.
	c, err := s.Callers.Caller(ctx, nameID)
	if errors.Is(err, ErrUnknownUser) {
		return events.APIGatewayProxyResponse{}, refuse(err.Error())
	}
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	c.Email = email
	if len(c.Roles) == 0 {
		return events.APIGatewayProxyResponse{}, &refusal{reason: email + " is in no Innovation Sandbox group",
			message: "You are not a member of any Innovation Sandbox group: ask an administrator for access"}
	}
	ttl := time.Duration(authCfg.SessionDurationInMinutes) * time.Minute
	tok, err := auth.Issue(ctx, s.Signer, keys.Current.ID, c, s.Issuer, s.Audience, ttl, s.Now())
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("issue token for %s: %w", email, err)
	}
	slog.InfoContext(ctx, "signed in", "caller", email, "roles", c.Roles)
	to := strings.TrimRight(authCfg.WebAppURL, "/") + "/#" + url.Values{"token": {tok}}.Encode()
	clear := fmt.Sprintf("%s=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=None", RequestCookie)
	return redirect(to, clear), nil
}

// verifier checks session tokens, revoked ones included.
func (s *Service) verifier() *auth.Verifier {
	return auth.NewVerifier(s.Keys, s.Issuer, s.Audience, s.Now).CheckRevocations(s.Sessions)
}

func (s *Service) status(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	authorization, err := auth.AuthorizationHeader(e.Headers, e.MultiValueHeaders)
	if err != nil {
		return jsonResponse(http.StatusOK, map[string]any{"authenticated": false}), nil
	}
	c, err := s.verifier().Verify(ctx, authorization)
	if auth.IsFault(err) {
		return events.APIGatewayProxyResponse{}, err
	}
	if err != nil {
		return jsonResponse(http.StatusOK, map[string]any{"authenticated": false}), nil
	}
	return jsonResponse(http.StatusOK, map[string]any{"authenticated": true, "session": c}), nil
}

func (s *Service) logout(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	authorization, err := auth.AuthorizationHeader(e.Headers, e.MultiValueHeaders)
	if err != nil {
		// Two tokens: revoking one and keeping the other is not a logout.
		return events.APIGatewayProxyResponse{}, &refusal{
			reason:  "logout: " + err.Error(),
			message: auth.ErrInvalidToken.Error(),
		}
	}
	if authorization != "" {
		sess, err := s.verifier().VerifySession(ctx, authorization)
		switch {
		case auth.IsFault(err):
			return events.APIGatewayProxyResponse{}, err
		case err != nil:
			// Expired, revoked or forged: there is no session to end.
			slog.InfoContext(ctx, "logout without a valid token", "reason", err.Error())
		default:
			// Until the token's own expiry plus the verifier's leeway: after
			// that it is refused anyway.
			if err := s.Sessions.Revoke(ctx, sess.ID, sess.ExpiresAt.Add(auth.Leeway)); err != nil {
				return events.APIGatewayProxyResponse{}, err
			}
			slog.InfoContext(ctx, "signed out", "caller", sess.Caller.Email, "token_id", sess.ID)
		}
	}
	g, err := s.Config.Global(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read global configuration: %w", err)
	}
	to := g.Auth.IdpSignOutURL
	if to == "" {
		to = g.Auth.WebAppURL
	}
	return redirect(to, ""), nil
}

// sealRequest binds a request id and its expiry to the signing key keyID
// with an ES256 signature. The signed message starts with a label no token's
// signing input can start with, so a cookie signature is never a token's.
func sealRequest(ctx context.Context, signer auth.Signer, keyID, id string, exp int64) (string, error) {
	payload := base64.RawURLEncoding.EncodeToString(
		[]byte(id),
	) + "." + strconv.FormatInt(
		exp,
		10,
	) + "." + base64.RawURLEncoding.EncodeToString(
		[]byte(keyID),
	)
	sig, err := auth.SignES256(ctx, signer, keyID, requestMessage(payload))
	if err != nil {
		return "", fmt.Errorf("seal sign-in request: %w", err)
	}
	return payload + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

func requestMessage(payload string) []byte { return []byte("saml-request|" + payload) }

// openRequest returns the request id of a sealed cookie value that one of
// the published keys signed and that has not expired.
func openRequest(v string, now time.Time, keys auth.KeySet) (string, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 4 {
		return "", false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[3])
	if err != nil {
		return "", false
	}
	keyID, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", false
	}
	good := auth.VerifyES256(keys, string(keyID), requestMessage(parts[0]+"."+parts[1]+"."+parts[2]), sig)
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if !good || err != nil || !now.Before(time.Unix(exp, 0)) {
		return "", false
	}
	id, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || len(id) == 0 {
		return "", false
	}
	return string(id), true
}

// ParseMetadata reads a SAML metadata document (an EntityDescriptor, as
// Identity Center's "IAM Identity Center SAML metadata file").
func ParseMetadata(doc []byte) (*saml.EntityDescriptor, error) {
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(doc, &md); err != nil {
		return nil, fmt.Errorf("identity provider metadata: %w", err)
	}
	if md.EntityID == "" || len(md.IDPSSODescriptors) == 0 {
		return nil, errors.New("identity provider metadata: no entity id or IDPSSODescriptor")
	}
	return &md, nil
}

func redirect(to, setCookie string) events.APIGatewayProxyResponse {
	h := map[string]string{"Location": to, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
	if setCookie != "" {
		h["Set-Cookie"] = setCookie
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusFound, Headers: h}
}

func jsonResponse(status int, body any) events.APIGatewayProxyResponse {
	b, _ := json.Marshal(body)
	return events.APIGatewayProxyResponse{StatusCode: status, Body: string(b), Headers: map[string]string{
		"Content-Type": "application/json", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
	}}
}

func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// cookie reads one cookie from the Cookie header.
func cookie(e events.APIGatewayProxyRequest, name string) string {
	r := http.Request{Header: http.Header{"Cookie": {header(e.Headers, "Cookie")}}}
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}
