// Package contract checks docs/openapi.yaml against the one route table
// (common/routes) and the JSend envelopes the handlers really produce
// (common/httpapi).
package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/routes"
)

const specPath = "../../docs/openapi.yaml"

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		t.Fatalf("load %s: %v", specPath, err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("%s is not valid OpenAPI 3: %v", specPath, err)
	}
	return doc
}

func key(method, path string) string { return method + " " + path }

// operations lists the documented operations by "METHOD /path".
func operations(doc *openapi3.T) map[string]*openapi3.Operation {
	out := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[key(strings.ToUpper(method), path)] = op
		}
	}
	return out
}

func TestEveryRouteIsDocumentedAndEveryDocumentedRouteIsServed(t *testing.T) {
	ops := operations(load(t))
	inTable := map[string]bool{}
	for _, r := range routes.Table {
		inTable[key(r.Method, r.Path)] = true
		if ops[key(r.Method, r.Path)] == nil {
			t.Errorf("%s %s is in routes.Table but not in %s", r.Method, r.Path, specPath)
		}
	}
	var extra []string
	for k := range ops {
		if !inTable[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		t.Errorf("%s is documented but not in routes.Table", k)
	}
}

func TestDocumentedRolesMatchTheTable(t *testing.T) {
	doc := load(t)
	ops := operations(doc)
	for _, r := range routes.Table {
		op := ops[key(r.Method, r.Path)]
		if op == nil {
			continue // reported above
		}
		name := key(r.Method, r.Path)
		public, _ := op.Extensions["x-isb-public"].(bool)
		if public != r.Public {
			t.Errorf("%s: x-isb-public %v, table says public %v", name, public, r.Public)
		}
		if r.Public {
			if op.Security == nil || len(*op.Security) != 0 {
				t.Errorf("%s is public: it must declare security: []", name)
			}
			continue
		}
		if op.Security != nil && len(*op.Security) == 0 {
			t.Errorf("%s needs a token but declares no security", name)
		}
		var got []string
		if raw, ok := op.Extensions["x-isb-roles"].([]any); ok {
			for _, v := range raw {
				got = append(got, fmt.Sprint(v))
			}
		}
		var want []string
		for _, role := range r.Roles {
			want = append(want, string(role))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: x-isb-roles %v, table says %v", name, got, want)
		}
		for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusInternalServerError} {
			if op.Responses.Status(status) == nil {
				t.Errorf("%s does not document %d", name, status)
			}
		}
		for _, p := range op.Parameters {
			if p.Value.In == "path" && !strings.Contains(r.Path, "{"+p.Value.Name+"}") {
				t.Errorf("%s documents path parameter %s that its path lacks", name, p.Value.Name)
			}
		}
	}
	// Path-level parameters must name the template's parameters exactly.
	for path, item := range doc.Paths.Map() {
		for _, p := range item.Parameters {
			if p.Value.In == "path" && !strings.Contains(path, "{"+p.Value.Name+"}") {
				t.Errorf("%s documents path parameter %s that it lacks", path, p.Value.Name)
			}
		}
	}
}

// What the handlers answer, checked against the documented schemas.

var testKey = auth.NewLocalKey("arn:aws:kms:us-east-1:111111111111:key/contract")

type globalConfig struct{ maintenance bool }

func (g globalConfig) Global(context.Context) (config.Global, error) {
	c := config.DefaultGlobal()
	c.MaintenanceMode = g.maintenance
	return c, nil
}

// outcome is what every route handler of a test server does.
type outcome func(r *httpapi.Request) (httpapi.Response, error)

func server(t *testing.T, family routes.Family, maintenance bool, do outcome) *httpapi.Server {
	t.Helper()
	handlers := map[string]httpapi.HandlerFunc{}
	for _, r := range routes.Table {
		if r.Family == family {
			handlers[httpapi.Key(r.Method, r.Path)] = func(_ context.Context, req *httpapi.Request) (httpapi.Response,
				error) {
				return do(req)
			}
		}
	}
	v := auth.NewVerifier(auth.StaticKeys{Current: testKey.Public()}, "iss", "aud", nil)
	s, err := httpapi.NewServer(family, v, globalConfig{maintenance: maintenance}, handlers)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func token(t *testing.T, roles ...routes.Role) string {
	t.Helper()
	tok, err := auth.Issue(
		t.Context(),
		testKey,
		testKey.ID,
		auth.Caller{Email: "pat@example.com", Roles: roles},
		"iss",
		"aud",
		time.Hour,
		time.Now(),
	)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

func concrete(p string) string {
	return strings.NewReplacer("{leaseId}", "bGVhc2U", "{leaseTemplateId}", "0d9a8c1e-5b7f-4e7a-9f51-1b2c3d4e5f60",
		"{awsAccountId}", "123456789012").
		Replace(p)
}

// checkBody validates a response against the operation's documented
// response for its status.
func checkBody(t *testing.T, op *openapi3.Operation, resp events.APIGatewayProxyResponse) {
	t.Helper()
	doc := op.Responses.Status(resp.StatusCode)
	if doc == nil {
		t.Fatalf("answered %d, which is not documented (body %s)", resp.StatusCode, resp.Body)
	}
	mt := doc.Value.Content.Get("application/json")
	if mt == nil {
		t.Fatalf("%d is documented without an application/json body", resp.StatusCode)
	}
	var body any
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, resp.Body)
	}
	if err := mt.Schema.Value.VisitJSON(body); err != nil {
		t.Errorf("%d body %s does not match the documented schema: %v", resp.StatusCode, resp.Body, err)
	}
}

func TestHandlersAnswerTheDocumentedEnvelopes(t *testing.T) {
	ops := operations(load(t))
	scenarios := []struct {
		name        string
		status      int
		roles       []routes.Role // nil: no token
		maintenance bool
		do          outcome
	}{
		{
			"an unexpected error is a JSend error",
			500,
			routes.Roles,
			false,
			func(*httpapi.Request) (httpapi.Response, error) {
				return httpapi.Response{}, errors.New("boom")
			},
		},
		{"no token is a JSend fail", 401, nil, false, nil},
		{"maintenance mode is a JSend fail", 403, []routes.Role{routes.User}, true, nil},
		{
			"invalid input is a JSend fail naming the field",
			400,
			routes.Roles,
			false,
			func(*httpapi.Request) (httpapi.Response, error) {
				var f fault.Fields
				f.Add("comments", "must be at most 1000 characters")
				return httpapi.Response{}, f.Err()
			},
		},
		{
			"a missing item is a JSend fail",
			404,
			routes.Roles,
			false,
			func(r *httpapi.Request) (httpapi.Response, error) {
				return httpapi.Response{}, &fault.NotFoundError{Entity: "lease", Key: "x"}
			},
		},
		{"a conflict is a JSend fail", 409, routes.Roles, false, func(r *httpapi.Request) (httpapi.Response, error) {
			return httpapi.Response{}, &fault.ConflictError{Entity: "lease", Key: "x", Reason: "it changed"}
		}},
	}
	checked := 0
	for _, sc := range scenarios {
		for _, r := range routes.Table {
			if r.Public {
				continue
			}
			op := ops[key(r.Method, r.Path)]
			if op == nil || op.Responses.Status(sc.status) == nil {
				continue // undocumented route (reported elsewhere) or status the route never answers
			}
			if sc.status == 403 && r.Method == "GET" && r.Path == "/configurations" {
				continue // served in maintenance mode
			}
			t.Run(fmt.Sprintf("%s/%s %s", sc.name, r.Method, r.Path), func(t *testing.T) {
				do := sc.do
				if do == nil {
					do = func(*httpapi.Request) (httpapi.Response, error) { return httpapi.OK(nil), nil }
				}
				req := events.APIGatewayProxyRequest{
					HTTPMethod: r.Method, Path: concrete(r.Path), Resource: r.Path,
					Headers: map[string]string{"Content-Type": "application/json"},
					Body:    "{}",
				}
				if sc.roles != nil {
					req.Headers["Authorization"] = token(t, sc.roles...)
				}
				resp, err := server(t, r.Family, sc.maintenance, do).Handle(t.Context(), req)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != sc.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, sc.status, resp.Body)
				}
				checkBody(t, op, resp)
			})
			checked++
		}
	}
	if checked < 40 {
		t.Errorf("only %d route × scenario pairs checked", checked)
	}
}

func TestTheConfigurationRouteAnswersTheDocumentedShape(t *testing.T) {
	op := operations(load(t))[key("GET", "/configurations")]
	s := server(t, routes.Configurations, false, func(*httpapi.Request) (httpapi.Response, error) {
		return httpapi.OK(config.DefaultGlobal()), nil
	})
	resp, err := s.Handle(t.Context(), events.APIGatewayProxyRequest{
		HTTPMethod: "GET", Path: "/configurations", Headers: map[string]string{"Authorization": token(t, routes.User)},
	})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, err %v: %s", resp.StatusCode, err, resp.Body)
	}
	checkBody(t, op, resp)
}
