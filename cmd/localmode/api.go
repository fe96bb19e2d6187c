package localmode

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
)

const (
	apiID    = "local"
	apiStage = "local"
	// maxBody is API Gateway's payload limit.
	maxBody = 10 << 20
)

// serveAPI serves the REST API on 127.0.0.1:Port the way API Gateway does:
// one route table (common/routes), the request authorizer on every route
// that is not public, its context passed to the handler, and the gateway's
// own answers (routes.GatewayResponses) for what it refuses itself.
func (p *Platform) serveAPI() error {
	ln, err := listen(p.opts.Port)
	if err != nil {
		return fmt.Errorf("REST API on port %d (ISB_LOCAL_PORT): %w", p.opts.Port, err)
	}
	p.apiURL = "http://" + ln.Addr().String()
	p.api = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(p.serveHTTP)}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); _ = p.api.Serve(ln) }()
	return nil
}

func gateway(w http.ResponseWriter, kind string, status int, message string) {
	r := routes.GatewayResponses[kind]
	if r.Status != 0 {
		status = r.Status
	}
	msg, _ := json.Marshal(message)
	body := strings.ReplaceAll(r.Body, "$context.error.messageString", string(msg))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (p *Platform) serveHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	start := time.Now()
	route, params, ok := routes.Match(r.Method, r.URL.Path)
	if !ok {
		// API Gateway's answer to a method or resource it does not have.
		gateway(w, "Default4XX", http.StatusForbidden, "Missing Authentication Token")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		gateway(w, "Default4XX", http.StatusRequestEntityTooLarge, "Request Too Long")
		return
	}
	ev := proxyEvent(r, route, params, body)
	log := p.log.With("method", r.Method, "path", r.URL.Path, "request_id", ev.RequestContext.RequestID)
	if !route.Public {
		authz, denied := p.authorize(ctx, r, ev)
		if denied != "" {
			gateway(w, denied, http.StatusInternalServerError, "")
			log.InfoContext(ctx, "request", "status", routes.GatewayResponses[denied].Status, "gateway", denied,
				"ms", time.Since(start).Milliseconds())
			return
		}
		ev.RequestContext.Authorizer = authz
	}
	fn := names.APIFunctions[string(route.Family)]
	out, err := p.invoke(ctx, fn, ev)
	var resp events.APIGatewayProxyResponse
	if err == nil {
		err = json.Unmarshal(out, &resp)
	}
	if err != nil || resp.StatusCode == 0 {
		gateway(w, "Default5XX", http.StatusBadGateway, "")
		log.ErrorContext(ctx, "request", "status", http.StatusBadGateway, "function", fn, "error", fmt.Sprint(err))
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	payload := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if payload, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			gateway(w, "Default5XX", http.StatusBadGateway, "")
			return
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(payload)
	log.InfoContext(ctx, "request", "status", resp.StatusCode, "function", fn, "ms", time.Since(start).Milliseconds())
}

// proxyEvent is the Lambda proxy integration's event for r.
func proxyEvent(r *http.Request, route routes.Route, params map[string]string,
	body []byte) events.APIGatewayProxyRequest {
	headers, multi := map[string]string{}, map[string][]string{}
	for k, vs := range r.Header {
		multi[k] = vs
		headers[k] = vs[len(vs)-1]
	}
	var query map[string]string
	var multiQuery map[string][]string
	if q := r.URL.Query(); len(q) > 0 {
		query, multiQuery = map[string]string{}, map[string][]string{}
		for k, vs := range q {
			multiQuery[k] = vs
			query[k] = vs[len(vs)-1]
		}
	}
	if len(params) == 0 {
		params = nil
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	now := time.Now()
	return events.APIGatewayProxyRequest{
		Resource: route.Path, Path: r.URL.Path, HTTPMethod: r.Method,
		Headers: headers, MultiValueHeaders: multi, QueryStringParameters: query,
		MultiValueQueryStringParameters: multiQuery,
		PathParameters:                  params, Body: string(body),
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: HubAccount, ResourceID: apiID, Stage: apiStage, RequestID: uuid.NewString(),
			Identity:     events.APIGatewayRequestIdentity{SourceIP: ip, UserAgent: r.UserAgent()},
			ResourcePath: route.Path, HTTPMethod: r.Method, Path: "/" + apiStage + r.URL.Path, APIID: apiID,
			DomainName: r.Host, RequestTime: now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch: now.UnixMilli(),
			Protocol:         r.Proto,
		},
	}
}

// authorize calls the request authorizer as API Gateway does; it returns
// the authorizer context for the handler, or the gateway response that
// refuses the request.
func (p *Platform) authorize(ctx context.Context, r *http.Request,
	ev events.APIGatewayProxyRequest) (map[string]any, string) {
	methodArn := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", Region, HubAccount, apiID, apiStage, r.Method,
		ev.Path)
	req := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", MethodArn: methodArn, Resource: ev.Resource, Path: ev.Path, HTTPMethod: ev.HTTPMethod,
		Headers: ev.Headers, MultiValueHeaders: ev.MultiValueHeaders, QueryStringParameters: ev.QueryStringParameters,
		MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters, PathParameters: ev.PathParameters,
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path: ev.RequestContext.Path, AccountID: HubAccount, ResourceID: apiID, Stage: apiStage,
			RequestID:    ev.RequestContext.RequestID,
			ResourcePath: ev.Resource, HTTPMethod: ev.HTTPMethod, APIID: apiID,
			Identity: events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{
				SourceIP: ev.RequestContext.Identity.SourceIP},
		},
	}
	out, err := p.invoke(ctx, names.AuthorizerFunction, req)
	if err != nil {
		// API Gateway answers 401 when the authorizer fails with exactly
		// "Unauthorized"; any other failure is a 500.
		if strings.Contains(err.Error(), "Unauthorized") {
			return nil, "Unauthorized"
		}
		return nil, "Default5XX"
	}
	var resp events.APIGatewayCustomAuthorizerResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, "Default5XX"
	}
	allowed := false
	for _, s := range resp.PolicyDocument.Statement {
		for _, res := range s.Resource {
			if res == methodArn || res == "*" {
				if s.Effect == "Deny" {
					return nil, "AccessDenied"
				}
				allowed = allowed || s.Effect == "Allow"
			}
		}
	}
	if !allowed {
		return nil, "AccessDenied"
	}
	ctxOut := map[string]any{"principalId": resp.PrincipalID}
	for k, v := range resp.Context {
		// API Gateway passes context values to the handler as strings,
		// numbers and booleans only.
		switch v.(type) {
		case string, bool, float64, int, int64:
			ctxOut[k] = v
		default:
			b, _ := json.Marshal(v)
			ctxOut[k] = string(b)
		}
	}
	return ctxOut, ""
}
