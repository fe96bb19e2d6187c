package leasesapi_test

import (
	"errors"
	"testing"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/functions/api-leases/leasesapi"
)

// Every decoder either succeeds or returns a validation error naming
// fields; none panics, whatever the bytes.
func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	var v *fault.ValidationError
	if err != nil && (!errors.As(err, &v) || len(v.Fields) == 0) {
		t.Fatalf("decode error is not a field validation error: %v", err)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{`{"leaseTemplateUuid":"0b8a4c5e-1d2f-4e3a-9b7c-6d5e4f3a2b1c"}`, `{"leaseTemplateUuid":7}`, `{}`, `[`, `null`, `{"comments":"x","userEmail":"a@b.c","leaseTemplateUuid":""}{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := leasesapi.DecodeRequest(b)
		checkDecodeError(t, err)
	})
}

func FuzzDecodePatch(f *testing.F) {
	for _, s := range []string{`{"maxSpend":null}`, `{"maxSpend":10,"expirationDate":"2026-12-01T00:00:00Z"}`, `{"budgetThresholds":[{"dollarsSpent":1,"action":"ALERT"}]}`, `{"budgetThresholds":null}`, `{"costReportGroup":1}`, `{"durationThresholds":[{"hoursRemaining":"x"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := leasesapi.DecodePatch(b)
		checkDecodeError(t, err)
	})
}

func FuzzDecodeReview(f *testing.F) {
	for _, s := range []string{`{"action":"Approve"}`, `{"action":"Deny"}`, `{"action":1}`, `{"act":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := leasesapi.DecodeReview(b)
		checkDecodeError(t, err)
	})
}

func TestDecodePatchKeepsNullAndAbsenceApart(t *testing.T) {
	cases := []struct {
		name string
		body string
		want func(t *testing.T, clearSpend, setSpend, clearGroup bool)
	}{
		{"null clears the budget", `{"maxSpend": null}`, func(t *testing.T, c, s, g bool) {
			if !c || s || g {
				t.Fatalf("clear=%v set=%v group=%v", c, s, g)
			}
		}},
		{"a value sets the budget", `{"maxSpend": 12}`, func(t *testing.T, c, s, g bool) {
			if c || !s || g {
				t.Fatalf("clear=%v set=%v group=%v", c, s, g)
			}
		}},
		{"absence leaves everything alone", `{"costReportGroup": null}`, func(t *testing.T, c, s, g bool) {
			if c || s || !g {
				t.Fatalf("clear=%v set=%v group=%v", c, s, g)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := leasesapi.DecodePatch([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			tc.want(t, p.ClearMaxSpend, p.MaxSpend != nil, p.ClearCostReportGroup)
		})
	}
}
