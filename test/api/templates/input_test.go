package templates_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/functions/api-lease-templates/templatesapi"
	"github.com/isb-go/isb/test/api/apitest"
)

// Template ids are UUIDs: anything else is refused naming the parameter
// before it reaches DynamoDB (which refuses keys over 2,048 bytes).
func TestBadTemplateInputIsRefusedNamingTheParameter(t *testing.T) {
	e, h := setup(t)
	created := apitest.Decode[templatesapi.Template](t, h, e.Event("POST", "/leaseTemplates", &apitest.Manager, good))
	huge := strings.Repeat("a", 3000)
	cases := []struct {
		name  string
		ev    events.APIGatewayProxyRequest
		field string
	}{
		{"reading a template id that is not a UUID", e.Event("GET", "/leaseTemplates/not-a-uuid", &apitest.Manager, nil), "leaseTemplateId"},
		{"reading a template id over 2,048 bytes", e.Event("GET", "/leaseTemplates/"+huge, &apitest.Manager, nil), "leaseTemplateId"},
		{"updating a template id over 2,048 bytes", e.Event("PUT", "/leaseTemplates/"+huge, &apitest.Manager, good), "leaseTemplateId"},
		{"deleting a template id over 2,048 bytes", e.Event("DELETE", "/leaseTemplates/"+huge, &apitest.Manager, nil), "leaseTemplateId"},
		{"a negative version", e.Event("PUT", "/leaseTemplates/"+created.UUID, &apitest.Manager,
			`{"name": "CI", "requiresApproval": true, "version": -1}`), "version"},
		{"a NUL in the name", e.Event("POST", "/leaseTemplates", &apitest.Manager, `{"name": "C\u0000I", "requiresApproval": true}`), "name"},
		{"a line break in the name", e.Event("POST", "/leaseTemplates", &apitest.Manager, `{"name": "C\nI", "requiresApproval": true}`), "name"},
		{"a control character in the description", e.Event("POST", "/leaseTemplates", &apitest.Manager, `{"name": "CI", "description": "a\u0008b", "requiresApproval": true}`), "description"},
		{"a key given twice", e.Event("POST", "/leaseTemplates", &apitest.Manager, `{"name": "CI", "requiresApproval": true, "maxSpend": 1, "maxSpend": 40}`), "maxSpend"},
		{"a key given twice in a threshold", e.Event("POST", "/leaseTemplates", &apitest.Manager,
			`{"name": "CI", "requiresApproval": true, "maxSpend": 40, "budgetThresholds": [{"dollarsSpent": 30, "action": "ALERT", "action": "FREEZE_ACCOUNT"}]}`), "budgetThresholds[0].action"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is 400 naming "+tc.field, func(t *testing.T) {
			apitest.Call(t, h, tc.ev).Want(t, http.StatusBadRequest, tc.field)
		})
	}
	t.Run("a description may span lines", func(t *testing.T) {
		got := apitest.Decode[templatesapi.Template](t, h, e.Event("POST", "/leaseTemplates", &apitest.Manager, `{"name": "CI", "description": "one\n\ttwo", "requiresApproval": true, "maxSpend": 40, "leaseDurationInHours": 8}`))
		if got.Description != "one\n\ttwo" {
			t.Fatalf("description = %q", got.Description)
		}
	})
	t.Run("the template is unchanged", func(t *testing.T) {
		got := apitest.Decode[templatesapi.Template](t, h, e.Event("GET", "/leaseTemplates/"+created.UUID, &apitest.Manager, nil))
		if got.Version != created.Version {
			t.Fatalf("version %d, want %d", got.Version, created.Version)
		}
	})
}
