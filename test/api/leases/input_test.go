package leases_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/template"
	"github.com/isb-go/isb/functions/api-leases/leasesapi"
	"github.com/isb-go/isb/test/api/apitest"
)

const unknownUUID = "00000000-0000-4000-8000-000000000000"

// Bad input is refused naming the parameter before anything reaches
// DynamoDB (the emulator, like DynamoDB, refuses keys over 2,048 bytes,
// which would otherwise answer 500).
func TestBadLeaseInputIsRefusedNamingTheParameter(t *testing.T) {
	e, h := setup(t)
	tpl := e.Template("manual", true, template.Public)
	hugeEmail := strings.Repeat("a", 3000) + "@example.com"
	raw := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name  string
		ev    events.APIGatewayProxyRequest
		field string
	}{
		{
			"a lease id for an email over 2,048 bytes",
			e.Event("GET", "/leases/"+lease.Key{UserEmail: hugeEmail, UUID: unknownUUID}.ID(), &apitest.Manager, nil),
			"leaseId",
		},
		{
			"a lease id for an email over 254 bytes",
			e.Event(
				"GET",
				"/leases/"+lease.Key{UserEmail: strings.Repeat("a", 300) + "@example.com", UUID: unknownUUID}.ID(),
				&apitest.Manager,
				nil,
			),
			"leaseId",
		},
		{
			"a lease id longer than any lease id",
			e.Event("GET", "/leases/"+strings.Repeat("A", 5000), &apitest.Manager, nil),
			"leaseId",
		},
		{
			"a lease id whose uuid is not a UUID",
			e.Event(
				"POST",
				"/leases/"+lease.Key{UserEmail: "dev@example.com", UUID: "x"}.ID()+"/freeze",
				&apitest.Manager,
				nil,
			),
			"leaseId",
		},
		{
			"a lease id spelled another way",
			e.Event(
				"GET",
				"/leases/"+raw(`{"uuid":"`+unknownUUID+`","userEmail":"dev@example.com"}`),
				&apitest.Manager,
				nil,
			),
			"leaseId",
		},
		{
			"a userEmail over 254 bytes",
			e.Event("GET", "/leases?userEmail="+hugeEmail, &apitest.Manager, nil),
			"userEmail",
		},
		{
			"a NUL in a query value",
			e.Event("GET", "/leases?userEmail=dev%40example.com\x00", &apitest.Manager, nil),
			"userEmail",
		},
		{
			"a userEmail over 254 bytes in a request",
			e.Event(
				"POST",
				"/leases",
				&apitest.Manager,
				map[string]any{"leaseTemplateUuid": tpl.UUID, "userEmail": hugeEmail},
			),
			"userEmail",
		},
		{
			"a NUL in a comment",
			e.Event("POST", "/leases", &apitest.Dev, `{"leaseTemplateUuid": "`+tpl.UUID+`", "comments": "a\u0000b"}`),
			"comments",
		},
		{
			"an escape sequence in a comment",
			e.Event("POST", "/leases", &apitest.Dev, `{"leaseTemplateUuid": "`+tpl.UUID+`", "comments": "\u001b[2J"}`),
			"comments",
		},
		{
			"invalid UTF-8 in a comment",
			e.Event(
				"POST",
				"/leases",
				&apitest.Dev,
				"{\"leaseTemplateUuid\": \""+tpl.UUID+"\", \"comments\": \"caf\xe9\"}",
			),
			"comments",
		},
		{
			"a line break in the lessee's email",
			e.Event(
				"POST",
				"/leases",
				&apitest.Manager,
				`{"leaseTemplateUuid": "`+tpl.UUID+`", "userEmail": "dev@example.com\n"}`,
			),
			"userEmail",
		},
		{
			"a key given twice",
			e.Event(
				"POST",
				"/leases",
				&apitest.Dev,
				`{"leaseTemplateUuid": "`+unknownUUID+`", "leaseTemplateUuid": "`+tpl.UUID+`"}`,
			),
			"leaseTemplateUuid",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is 400 naming "+tc.field, func(t *testing.T) {
			apitest.Call(t, h, tc.ev).Want(t, http.StatusBadRequest, tc.field)
		})
	}
	t.Run("nothing was written", func(t *testing.T) {
		if evs := e.Events(); len(evs) != 0 {
			t.Fatalf("events = %v", types(evs))
		}
	})
	t.Run("a comment may span lines", func(t *testing.T) {
		l := apitest.Decode[leasesapi.Lease](t, h, e.Event("POST", "/leases", &apitest.Dev, `{"leaseTemplateUuid": "`+tpl.UUID+`", "comments": "for CI\n\tthanks"}`))
		if l.Comments != "for CI\n\tthanks" {
			t.Fatalf("comments = %q", l.Comments)
		}
	})
}

func TestAPatchThatChangesNothingIsRefused(t *testing.T) {
	e, h := setup(t)
	e.Pool(1)
	tpl := e.Template("ci", false, template.Public)
	l := requestLease(t, e, h, &apitest.Dev, tpl.UUID)
	path := "/leases/" + l.LeaseID
	for _, body := range []string{`{}`, `null`, ` { } `} {
		t.Run(body+" is 400", func(t *testing.T) {
			apitest.Call(t, h, e.Event("PATCH", path, &apitest.Manager, body)).Want(t, http.StatusBadRequest, "body")
		})
	}
	t.Run("the lease keeps its version", func(t *testing.T) {
		got := apitest.Decode[leasesapi.Lease](t, h, e.Event("GET", path, &apitest.Manager, nil))
		if got.Version != l.Version {
			t.Fatalf("version %d, want %d", got.Version, l.Version)
		}
	})
}

// Should a value over DynamoDB's key limits get past the checks, the
// store's ValidationException (the emulator answers it as DynamoDB does)
// is a 400, never a 500.
func TestAKeyTheStoreRefusesIsA400(t *testing.T) {
	e, _ := setup(t)
	_, err := e.Store.Leases().
		Get(context.Background(), lease.Key{UserEmail: strings.Repeat("a", 3000) + "@example.com", UUID: unknownUUID})
	if err == nil {
		t.Fatal("the store read a 3,012-byte partition key")
	}
	if status, _, _ := httpapi.Status(err); status != http.StatusBadRequest {
		t.Fatalf("status %d for %v, want 400", status, err)
	}
}
