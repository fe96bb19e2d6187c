package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/routes"
)

// Verifier checks the Authorization header of a request and names the
// caller. common/auth's verifier satisfies it.
type Verifier interface {
	Verify(ctx context.Context, authorizationHeader string) (auth.Caller, error)
}

// GlobalConfig gives the global configuration (for maintenance mode).
type GlobalConfig interface {
	Global(ctx context.Context) (config.Global, error)
}

// Request is one API call, decoded from the proxy event and authorised.
type Request struct {
	Route routes.Route
	// Params are the path parameters, by the names in the route's path.
	Params map[string]string
	// Query holds the query string parameters (first value of each).
	Query       map[string]string
	ContentType string
	Body        []byte
	Caller      auth.Caller
	RequestID   string
}

// HandlerFunc serves one route.
type HandlerFunc func(ctx context.Context, r *Request) (Response, error)

// Key names a route in a handler map: "POST /leases/{leaseId}/review".
func Key(method, path string) string { return method + " " + path }

// Server serves every route of one family.
type Server struct {
	family   routes.Family
	verifier Verifier
	cfg      GlobalConfig
	handlers map[string]HandlerFunc
}

// NewServer returns the server of family. handlers must cover exactly the
// family's routes in routes.Table, by Key: a missing or unknown route is an
// error, so the table and the handlers cannot drift apart.
func NewServer(
	family routes.Family,
	verifier Verifier,
	cfg GlobalConfig,
	handlers map[string]HandlerFunc,
) (*Server, error) {
	want := map[string]bool{}
	for _, r := range routes.Table {
		if r.Family == family {
			want[Key(r.Method, r.Path)] = true
		}
	}
	var problems []string
	for k := range want {
		if handlers[k] == nil {
			problems = append(problems, "no handler for "+k)
		}
	}
	for k := range handlers {
		if !want[k] {
			problems = append(problems, "handler for "+k+", which is not a "+string(family)+" route")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("httpapi: %s", strings.Join(problems, "; "))
	}
	return &Server{family: family, verifier: verifier, cfg: cfg, handlers: handlers}, nil
}

// Handle serves one API Gateway proxy event. It never returns an error:
// every failure is an HTTP response, so API Gateway never answers 502.
func (s *Server) Handle(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	log := slog.With("request_id", e.RequestContext.RequestID, "method", e.HTTPMethod, "path", e.Path)
	resp, req, err := s.serveSafely(ctx, e)
	if req != nil {
		log = log.With("route", req.Route.Path, "caller", req.Caller.Email)
	}
	if err != nil {
		status, fields, headers := Status(err)
		var p *panicError
		if errors.As(err, &p) {
			log.ErrorContext(
				ctx,
				"request handler panicked",
				"status",
				status,
				"panic",
				fmt.Sprint(p.value),
				"stack",
				string(p.stack),
			)
			return errorResponse(), nil
		}
		if status == http.StatusInternalServerError {
			log.ErrorContext(ctx, "request failed", "status", status, "error", err)
			return errorResponse(), nil
		}
		if storeRefused(err) {
			// A value reached DynamoDB that a check here should have
			// refused first: the client gets a 400, the log says a check
			// is missing.
			log.WarnContext(ctx, "request refused by the store, not by a check", "status", status, "error", err)
			return failResponse(status, fields, headers), nil
		}
		log.InfoContext(ctx, "request refused", "status", status, "error", err)
		return failResponse(status, fields, headers), nil
	}
	log.InfoContext(ctx, "request served", "status", max(resp.Status, http.StatusOK))
	return successResponse(resp), nil
}

// panicError is a panic in a route handler (or in serving), recovered so
// the invocation survives and API Gateway gets a 500 instead of a 502.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

func recovered(v any) error { return &panicError{value: v, stack: debug.Stack()} }

// serveSafely is serve with a panic outside the handler recovered too.
func (s *Server) serveSafely(
	ctx context.Context,
	e events.APIGatewayProxyRequest,
) (resp Response, req *Request, err error) {
	defer func() {
		if v := recover(); v != nil {
			resp, err = Response{}, recovered(v)
		}
	}()
	return s.serve(ctx, e)
}

// call runs a route handler, its panic recovered (the request stays known,
// so the log names the route and caller).
func call(ctx context.Context, h HandlerFunc, r *Request) (resp Response, err error) {
	defer func() {
		if v := recover(); v != nil {
			resp, err = Response{}, recovered(v)
		}
	}()
	return h(ctx, r)
}

func (s *Server) serve(ctx context.Context, e events.APIGatewayProxyRequest) (Response, *Request, error) {
	route, params, ok := routes.Match(e.HTTPMethod, e.Path)
	if !ok || route.Family != s.family {
		if methods := routes.Methods(e.Path); ok || len(methods) > 0 {
			if !ok {
				return Response{}, nil, methodNotAllowed(e.HTTPMethod, methods)
			}
		}
		return Response{}, nil, notFound(e.Path)
	}
	req := &Request{
		Route:       route,
		Params:      params,
		Query:       query(e),
		ContentType: header(e, "Content-Type"),
		RequestID:   e.RequestContext.RequestID,
	}
	authorization, err := auth.AuthorizationHeader(e.Headers, e.MultiValueHeaders)
	if err != nil {
		return Response{}, req, fmt.Errorf("%w: %w", Unauthenticated, err)
	}
	caller, err := s.verifier.Verify(ctx, authorization)
	if errors.Is(err, auth.ErrInvalidToken) {
		return Response{}, req, fmt.Errorf("%w: %v", Unauthenticated, err)
	}
	if err != nil {
		return Response{}, req, fmt.Errorf("verify token: %w", err)
	}
	req.Caller = caller
	if !route.Allows(caller.Roles) {
		return Response{}, req, forbidden("%s %s needs one of the roles %v", route.Method, route.Path, route.Roles)
	}
	if !caller.Has(routes.Admin) && !(route.Method == http.MethodGet && route.Path == "/configurations") {
		g, err := s.cfg.Global(ctx)
		if err != nil {
			return Response{}, req, err
		}
		if g.MaintenanceMode {
			return Response{}, req, Maintenance
		}
	}
	if e.IsBase64Encoded && e.Body != "" {
		b, err := base64.StdEncoding.DecodeString(e.Body)
		if err != nil {
			return Response{}, req, invalid("body", "is not valid base64")
		}
		req.Body = b
	} else {
		req.Body = []byte(e.Body)
	}
	if err := checkParams(req); err != nil {
		return Response{}, req, err
	}
	resp, err := call(ctx, s.handlers[Key(route.Method, route.Path)], req)
	return resp, req, err
}

func header(e events.APIGatewayProxyRequest, name string) string {
	for k, v := range e.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, v := range e.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func query(e events.APIGatewayProxyRequest) map[string]string {
	q := map[string]string{}
	for k, v := range e.MultiValueQueryStringParameters {
		if len(v) > 0 {
			q[k] = v[0]
		}
	}
	for k, v := range e.QueryStringParameters {
		q[k] = v
	}
	return q
}

type statusError struct {
	status  int
	msg     string
	headers map[string]string
}

func (e *statusError) Error() string { return e.msg }

func notFound(path string) error {
	return &statusError{status: http.StatusNotFound, msg: "no route serves " + path}
}

func methodNotAllowed(method string, allowed []string) error {
	return &statusError{status: http.StatusMethodNotAllowed, msg: method + " is not allowed here",
		headers: map[string]string{"Allow": strings.Join(allowed, ", ")}}
}

func forbidden(format string, args ...any) error {
	return &fault.ForbiddenError{Reason: fmt.Sprintf(format, args...)}
}
