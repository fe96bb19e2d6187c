package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/smithy-go"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/routes"
)

func TestStatusMapsEveryErrorKind(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		status     int
		retryAfter bool
	}{
		{
			"a validation error is 400",
			func() error { var f fault.Fields; f.Add("x", "bad"); return f.Err() }(),
			400,
			false,
		},
		{"an unauthenticated caller is 401", fmt.Errorf("wrap: %w", httpapi.Unauthenticated), 401, false},
		{"a forbidden action is 403", &fault.ForbiddenError{Reason: "no"}, 403, false},
		{"maintenance mode is 403", httpapi.Maintenance, 403, false},
		{"a missing item is 404", &fault.NotFoundError{Entity: "lease", Key: "k"}, 404, false},
		{"a lost race is 409", &fault.ConflictError{Entity: "lease", Key: "k"}, 409, false},
		{"an empty pool is 409 with Retry-After", fmt.Errorf("grant: %w", fault.PoolEmpty), 409, true},
		{"a reached limit is 409", &fault.LimitError{Limit: "maxLeasesPerUser", Value: 3}, 409, false},
		{"a body that is not JSON is 415", fmt.Errorf("%w: x", httpapi.UnsupportedMediaType), 415, false},
		{
			"AWS throttling is 429",
			fmt.Errorf("query: %w", &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException"}),
			429,
			true,
		},
		{"anything else is 500", errors.New("boom"), 500, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, headers := httpapi.Status(tc.err)
			if status != tc.status || (headers["Retry-After"] != "") != tc.retryAfter {
				t.Fatalf("Status = %d %v, want %d (Retry-After %v)", status, headers, tc.status, tc.retryAfter)
			}
		})
	}
}

func TestParsePage(t *testing.T) {
	cases := []struct {
		name  string
		query map[string]string
		size  int32
		ok    bool
	}{
		{"no size gives the maximum", map[string]string{}, 20, true},
		{"a size within range is kept", map[string]string{"pageSize": "5"}, 5, true},
		{"zero is refused", map[string]string{"pageSize": "0"}, 0, false},
		{"above the maximum is refused", map[string]string{"pageSize": "21"}, 0, false},
		{"a non-number is refused", map[string]string{"pageSize": "ten"}, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := httpapi.ParsePage(tc.query, 20)
			if (err == nil) != tc.ok || (tc.ok && p.Size != tc.size) {
				t.Fatalf("ParsePage = %+v, %v", p, err)
			}
			if err != nil && !fault.Has(err, "pageSize") {
				t.Fatalf("error does not name pageSize: %v", err)
			}
		})
	}
}

func TestDecodeNamesTheField(t *testing.T) {
	type body struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	cases := []struct{ name, in, field string }{
		{"an unknown key", `{"name":"a","colour":"red"}`, "colour"},
		{"a wrong type", `{"count":"three"}`, "count"},
		{"broken JSON", `{"name":`, "body"},
		{"two values", `{} {}`, "body"},
		{"an empty body", ``, "body"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is an error naming "+tc.field, func(t *testing.T) {
			var b body
			if err := httpapi.DecodeBytes([]byte(tc.in), &b); !fault.Has(err, tc.field) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// staticVerifier stands in for the token verifier: the token is the
// caller's email, looked up in a table (pure routing logic under test).
type staticVerifier map[string]auth.Caller

func (v staticVerifier) Verify(_ context.Context, header string) (auth.Caller, error) {
	c, ok := v[header]
	if !ok {
		return auth.Caller{}, auth.ErrInvalidToken
	}
	return c, nil
}

type staticConfig struct{ maintenance bool }

func (c staticConfig) Global(context.Context) (config.Global, error) {
	g := config.DefaultGlobal()
	g.MaintenanceMode = c.maintenance
	return g, nil
}

func server(t *testing.T, maintenance bool) *httpapi.Server {
	t.Helper()
	ok := func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
		return httpapi.OK(r.Params), nil
	}
	handlers := map[string]httpapi.HandlerFunc{}
	for _, r := range routes.Table {
		if r.Family == routes.Accounts {
			handlers[httpapi.Key(r.Method, r.Path)] = ok
		}
	}
	srv, err := httpapi.NewServer(routes.Accounts, staticVerifier{
		"admin": {Email: "a@example.com", Roles: []routes.Role{routes.Admin}},
		"user":  {Email: "u@example.com", Roles: []routes.Role{routes.User}},
	}, staticConfig{maintenance}, handlers)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestServerRoutesAndGuards(t *testing.T) {
	srv := server(t, false)
	cases := []struct {
		name, method, path, token string
		status                    int
	}{
		{"an admin reaches the route", "GET", "/accounts/123456789012", "admin", 200},
		{"a literal segment wins over a parameter", "GET", "/accounts/unregistered", "admin", 200},
		{"a user without the role is 403", "GET", "/accounts", "user", 403},
		{"no token is 401", "GET", "/accounts", "", 401},
		{"an unknown path is 404", "GET", "/nowhere", "admin", 404},
		{"another family's route is 404 here", "GET", "/leases", "admin", 404},
		{"a wrong method is 405", "DELETE", "/accounts", "admin", 405},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := srv.Handle(context.Background(), events.APIGatewayProxyRequest{
				HTTPMethod: tc.method, Path: tc.path, Headers: map[string]string{"authorization": tc.token},
			})
			if err != nil || resp.StatusCode != tc.status {
				t.Fatalf("status %d (%v), want %d: %s", resp.StatusCode, err, tc.status, resp.Body)
			}
			var env map[string]any
			if json.Unmarshal([]byte(resp.Body), &env) != nil || env["status"] == nil {
				t.Fatalf("body is not JSend: %s", resp.Body)
			}
		})
	}
	t.Run("maintenance mode refuses a user but not an admin", func(t *testing.T) {
		m := server(t, true)
		resp, _ := m.Handle(
			context.Background(),
			events.APIGatewayProxyRequest{
				HTTPMethod: "GET",
				Path:       "/accounts",
				Headers:    map[string]string{"Authorization": "admin"},
			},
		)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("admin in maintenance: %d", resp.StatusCode)
		}
	})
}

func TestNewServerRefusesHandlersThatDoNotMatchTheTable(t *testing.T) {
	none := map[string]httpapi.HandlerFunc{}
	if _, err := httpapi.NewServer(routes.Configurations, staticVerifier{}, staticConfig{}, none); err == nil {
		t.Fatal("a server without the family's handlers was built")
	}
	ok := func(context.Context, *httpapi.Request) (httpapi.Response, error) { return httpapi.OK(nil), nil }
	extra := map[string]httpapi.HandlerFunc{"GET /configurations": ok, "GET /leases": ok}
	if _, err := httpapi.NewServer(routes.Configurations, staticVerifier{}, staticConfig{}, extra); err == nil {
		t.Fatal("a server with another family's handler was built")
	}
}

func FuzzDecodeBytes(f *testing.F) {
	for _, s := range []string{`{"name":"a"}`, `{"a":1}`, `[`, `"\u0000"`, `{"name":{"x":[1,2,{}]}}`,
		`{"name":"a","name":"b"}`, `{"name":"\ud800"}`, `{"items":[{"k":1,"k":2}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v struct {
			Name  string            `json:"name"`
			Items []json.RawMessage `json:"items"`
		}
		err := httpapi.DecodeBytes(b, &v)
		var ve *fault.ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("not a validation error: %v", err)
		}
	})
}

func FuzzParsePage(f *testing.F) {
	f.Add("10", "tok")
	f.Add("-1", "")
	f.Add("99999999999999999999", "x")
	f.Fuzz(func(t *testing.T, size, token string) {
		p, err := httpapi.ParsePage(map[string]string{"pageSize": size, "pageIdentifier": token}, 50)
		if err == nil && (p.Size < 1 || p.Size > 50) {
			t.Fatalf("accepted size %d", p.Size)
		}
	})
}

func FuzzServerHandle(f *testing.F) {
	f.Add("GET", "/accounts/123", "admin", "application/json", `{}`, false)
	f.Add("POST", "/accounts", "user", "text/plain", `x`, true)
	f.Fuzz(func(t *testing.T, method, path, token, ct, body string, b64 bool) {
		srv := server(t, false)
		resp, err := srv.Handle(context.Background(), events.APIGatewayProxyRequest{
			HTTPMethod: method, Path: path, Body: body, IsBase64Encoded: b64,
			Headers: map[string]string{"Authorization": token, "Content-Type": ct},
		})
		if err != nil || resp.StatusCode < 200 || resp.StatusCode > 599 || !json.Valid([]byte(resp.Body)) {
			t.Fatalf("Handle = %d %v %q", resp.StatusCode, err, resp.Body)
		}
	})
}

func TestDecodeRefusesWhatWouldBeStoredWrong(t *testing.T) {
	type threshold struct {
		Action string `json:"action"`
	}
	type body struct {
		Name       string          `json:"name"`
		Comments   string          `json:"comments"`
		Thresholds []threshold     `json:"thresholds"`
		Raw        json.RawMessage `json:"raw"`
	}
	cases := []struct{ name, in, field string }{
		{"a duplicate key", `{"name":"a","name":"b"}`, "name"},
		{"a duplicate key inside a list item", `{"thresholds":[{"action":"A","action":"B"}]}`, "thresholds[0].action"},
		{"a duplicate key inside a raw field", `{"raw":{"x":1,"x":2}}`, "raw.x"},
		{"a NUL escaped in a string", `{"name":"a\u0000b"}`, "name"},
		{"a raw control byte, which JSON forbids,", "{\"name\":\"a\x01b\"}", "body"},
		{"an escaped escape character", `{"comments":"\u001b[31mred"}`, "comments"},
		{"a DEL character", `{"comments":"a\u007fb"}`, "comments"},
		{"a C1 control character", `{"comments":"a\u0085b"}`, "comments"},
		{
			"a control character deep in a list",
			`{"thresholds":[{"action":"ok"},{"action":"a\u0007"}]}`,
			"thresholds[1].action",
		},
		{"invalid UTF-8", "{\"name\":\"caf\xe9\"}", "name"},
		{"a lone surrogate", `{"name":"\ud800"}`, "name"},
		{"a control character in a key", `{"na\u0000me":"x"}`, "body"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is an error naming "+tc.field, func(t *testing.T) {
			var b body
			if err := httpapi.DecodeBytes([]byte(tc.in), &b); !fault.Has(err, tc.field) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("a line break outside free text is an error naming its field", func(t *testing.T) {
		var b body
		if err := httpapi.DecodeBytes([]byte(`{"comments":"ok\n","name":"a\nb"}`), &b, "comments"); !fault.Has(
			err,
			"name",
		) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("tabs and line breaks in free text are kept", func(t *testing.T) {
		var b body
		if err := httpapi.DecodeBytes([]byte(`{"comments":"line one\n\tline two\r\n","name":"café ☕"}`), &b,
			"comments"); err != nil {
			t.Fatal(err)
		}
		if b.Comments != "line one\n\tline two\r\n" || b.Name != "café ☕" {
			t.Fatalf("decoded %+v", b)
		}
	})
	t.Run("a null body decodes to nothing", func(t *testing.T) {
		var b body
		if err := httpapi.DecodeBytes([]byte(`null`), &b); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStatusNeverAnswers500ForAStoreValidationError(t *testing.T) {
	err := fmt.Errorf("get lease: %w", &smithy.GenericAPIError{Code: "ValidationException",
		Message: "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"})
	status, fields, _ := httpapi.Status(err)
	if status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", status)
	}
	for _, f := range fields {
		if strings.Contains(f.Message, "hashkey") {
			t.Fatalf("the store's message leaks to the client: %+v", fields)
		}
	}
}

func TestServerRefusesControlCharactersInParameters(t *testing.T) {
	srv := server(t, false)
	cases := []struct {
		name  string
		ev    events.APIGatewayProxyRequest
		field string
	}{
		{
			"a NUL in a path parameter",
			events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/accounts/1234\x00"},
			"awsAccountId",
		},
		{
			"invalid UTF-8 in a path parameter",
			events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/accounts/\xff\xfe"},
			"awsAccountId",
		},
		{"a line break in a query value", events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/accounts",
			QueryStringParameters: map[string]string{"pageIdentifier": "abc\ndef"}}, "pageIdentifier"},
		{
			"an escape character in a multi-value query value",
			events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/accounts",
				MultiValueQueryStringParameters: map[string][]string{"pageSize": {"1\x1b"}}},
			"pageSize",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is 400 naming "+tc.field, func(t *testing.T) {
			tc.ev.Headers = map[string]string{"Authorization": "admin"}
			resp, err := srv.Handle(context.Background(), tc.ev)
			if err != nil || resp.StatusCode != http.StatusBadRequest ||
				!strings.Contains(resp.Body, `"field":"`+tc.field+`"`) {
				t.Fatalf("status %d (%v), want 400 naming %s: %s", resp.StatusCode, err, tc.field, resp.Body)
			}
		})
	}
}

func TestAPanickingHandlerIsALogged500(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	handlers := map[string]httpapi.HandlerFunc{}
	for _, r := range routes.Table {
		if r.Family == routes.Configurations {
			handlers[httpapi.Key(r.Method, r.Path)] = func(context.Context, *httpapi.Request) (httpapi.Response,
				error) {
				var m map[string]int
				//lint:ignore SA5000 the panic is the point: a bug in a handler
				m["boom"]++
				return httpapi.OK(nil), nil
			}
		}
	}
	srv, err := httpapi.NewServer(routes.Configurations, staticVerifier{
		"admin": {Email: "a@example.com", Roles: []routes.Role{routes.Admin}}}, staticConfig{}, handlers)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Handle(
		context.Background(),
		events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/configurations",
			Headers: map[string]string{
				"Authorization": "admin",
			}, RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-1"}},
	)
	if err != nil {
		t.Fatalf("Handle returned an error: %v", err)
	}
	var env struct{ Status, Message string }
	if resp.StatusCode != http.StatusInternalServerError || json.Unmarshal([]byte(resp.Body), &env) != nil ||
		env.Status != "error" ||
		env.Message == "" {
		t.Fatalf("response %d %s, want a 500 JSend error", resp.StatusCode, resp.Body)
	}
	if strings.Contains(resp.Body, "nil map") {
		t.Fatalf("the panic leaks to the client: %s", resp.Body)
	}
	var line struct {
		Level     string `json:"level"`
		Msg       string `json:"msg"`
		RequestID string `json:"request_id"`
		Panic     string `json:"panic"`
		Stack     string `json:"stack"`
	}
	found := false
	for _, l := range bytes.Split(logs.Bytes(), []byte("\n")) {
		if json.Unmarshal(l, &line) == nil && line.Level == "ERROR" && strings.Contains(line.Panic, "nil map") {
			found = line.RequestID == "req-1" && line.Stack != ""
			break
		}
	}
	if !found {
		t.Fatalf("no ERROR log with the panic, request id and stack:\n%s", logs.String())
	}
}

// reasonVerifier refuses every token with one precise reason.
type reasonVerifier struct{ reason error }

func (v reasonVerifier) Verify(context.Context, string) (auth.Caller, error) {
	return auth.Caller{}, v.reason
}

func TestA401TellsTheClientOnlyInvalidToken(t *testing.T) {
	ok := func(context.Context, *httpapi.Request) (httpapi.Response, error) { return httpapi.OK(nil), nil }
	for _, reason := range []error{auth.ErrExpired, auth.ErrSignature, auth.ErrAudience, auth.ErrIssuer,
		auth.ErrNoToken, auth.ErrAmbiguous} {
		t.Run(reason.Error(), func(t *testing.T) {
			srv, err := httpapi.NewServer(
				routes.Configurations,
				reasonVerifier{reason},
				staticConfig{},
				map[string]httpapi.HandlerFunc{"GET /configurations": ok},
			)
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := srv.Handle(context.Background(), events.APIGatewayProxyRequest{
				HTTPMethod: "GET", Path: "/configurations", Headers: map[string]string{"Authorization": "Bearer x"},
			})
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			var env struct {
				Data struct {
					Errors []fault.FieldError `json:"errors"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(resp.Body), &env); err != nil || len(env.Data.Errors) != 1 {
				t.Fatalf("body %s", resp.Body)
			}
			if got := env.Data.Errors[0]; got.Message != "invalid token" || got.Field != "Authorization" {
				t.Errorf("error %+v, want Authorization: invalid token and no reason", got)
			}
		})
	}
}

func TestTwoDifferentAuthorizationHeadersAreRefused(t *testing.T) {
	srv := server(t, false)
	for range 50 {
		resp, _ := srv.Handle(context.Background(), events.APIGatewayProxyRequest{
			HTTPMethod: "GET", Path: "/accounts",
			Headers: map[string]string{"Authorization": "admin", "authorization": "user"},
		})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401 for two different Authorization headers", resp.StatusCode)
		}
	}
	resp, _ := srv.Handle(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod: "GET", Path: "/accounts",
		Headers:           map[string]string{"Authorization": "admin"},
		MultiValueHeaders: map[string][]string{"Authorization": {"admin"}},
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200 for one header in both maps", resp.StatusCode)
	}
}
