package templatesapi_test

import (
	"errors"
	"testing"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/functions/api-lease-templates/templatesapi"
)

func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{`{"name":"x","requiresApproval":true}`, `{"name":"x","requiresApproval":true,"createdBy":"a@b.c"}`,
		`{"name":"x","requiresApproval":"yes","visibility":"PRIVATE","maxSpend":1,"budgetThresholds":[{"dollarsSpent":1,"action":"ALERT"}]}`, `{"version":3}`, `"x"`} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, update bool) {
		_, err := templatesapi.DecodeBody(b, update)
		var v *fault.ValidationError
		if err != nil && (!errors.As(err, &v) || len(v.Fields) == 0) {
			t.Fatalf("decode error is not a field validation error: %v", err)
		}
	})
}
