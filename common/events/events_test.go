package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
)

// readFixture returns testdata/<name>.json.
func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		tb.Fatalf("read fixture: %v", err)
	}
	return b
}

// fixture decodes the fixture of T's detail-type into a T.
func fixture[T Event](tb testing.TB) T {
	tb.Helper()
	var zero T
	e, err := Decode(zero.DetailType(), readFixture(tb, zero.DetailType()))
	if err != nil {
		tb.Fatalf("decode fixture: %v", err)
	}
	return e.(T)
}

// jsonEqual reports whether a and b hold the same JSON value, and both
// values re-indented for a failure message.
func jsonEqual(tb testing.TB, a, b []byte) (bool, string, string) {
	tb.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		tb.Fatalf("unmarshal %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		tb.Fatalf("unmarshal %s: %v", b, err)
	}
	pa, _ := json.MarshalIndent(va, "", "  ")
	pb, _ := json.MarshalIndent(vb, "", "  ")
	return reflect.DeepEqual(va, vb), string(pa), string(pb)
}

// wantSameJSON fails unless want and got hold the same JSON value; what
// says what changed it.
func wantSameJSON(t *testing.T, want, got []byte, what string) {
	t.Helper()
	if eq, w, g := jsonEqual(t, want, got); !eq {
		t.Errorf("%s\nwant %s\n got %s", what, w, g)
	}
}

// wantMarshalsTo fails unless v marshals to the JSON value of want.
func wantMarshalsTo(t *testing.T, want []byte, v any, what string) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	wantSameJSON(t, want, got, what)
}

// decodedFixture reads the fixture of dt and decodes it.
func decodedFixture(t *testing.T, dt string) ([]byte, Event) {
	t.Helper()
	raw := readFixture(t, dt)
	e, err := Decode(dt, raw)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return raw, e
}

func TestEveryDetailTypeHasAnEventAndEveryEventADetailType(t *testing.T) {
	var registered []string
	for _, e := range catalog {
		registered = append(registered, e.detailType)
	}
	for _, dt := range names.DetailTypes {
		if !Registered(dt) {
			t.Errorf("detail-type %s has no registered event struct", dt)
		}
	}
	for _, dt := range registered {
		if !slices.Contains(names.DetailTypes, dt) {
			t.Errorf("event struct for %s is registered but %s is not in names.DetailTypes", dt, dt)
		}
	}
	if !slices.Equal(registered, names.DetailTypes) {
		t.Errorf("catalog order differs from names.DetailTypes:\n got %v\nwant %v", registered, names.DetailTypes)
	}
}

func TestEveryFixtureRoundTrips(t *testing.T) {
	for _, dt := range names.DetailTypes {
		t.Run(dt, func(t *testing.T) {
			want, e := decodedFixture(t, dt)
			if got := e.DetailType(); got != dt {
				t.Errorf("DetailType() = %q, want %q", got, dt)
			}
			got, err := Encode(e)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			wantSameJSON(t, want, got, "round trip changed the detail")
		})
	}
}

func TestEveryFixtureBelongsToADetailType(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasPrefix(name, "envelope-") && strings.HasSuffix(name, ".json") {
			continue
		}
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			continue // testdata/fuzz holds the fuzzer's corpus
		}
		dt, ok := strings.CutSuffix(name, ".json")
		if !ok || !Registered(dt) {
			t.Errorf("orphan fixture %s: not <DetailType>.json nor envelope-*.json", path)
		}
	}
}

func TestEveryEventComesFromAKnownSource(t *testing.T) {
	sources := []string{
		names.SourceAPI, names.SourceLifecycle, names.SourceMonitoring,
		names.SourceDrift, names.SourceCleaner, names.SourceReporting,
	}
	for _, dt := range names.DetailTypes {
		e, err := Decode(dt, readFixture(t, dt))
		if err != nil {
			t.Fatalf("decode %s: %v", dt, err)
		}
		if !slices.Contains(sources, e.Source()) {
			t.Errorf("%s.Source() = %q, not a names.Source* constant", dt, e.Source())
		}
	}
}

func TestSourceFollowsTheReason(t *testing.T) {
	terminated := fixture[LeaseTerminated](t)
	frozen := fixture[LeaseFrozen](t)
	tests := []struct {
		name  string
		event Event
		want  string
	}{
		{"a manual termination comes from the API",
			LeaseTerminated{Reason: TerminatedWithComment(TerminationManual, "")}, names.SourceAPI},
		{"an ejection comes from the API",
			LeaseTerminated{Reason: TerminatedWithComment(TerminationEjected, "")}, names.SourceAPI},
		{"a budget termination comes from the lifecycle manager", terminated, names.SourceLifecycle},
		{"a manual freeze comes from the API", LeaseFrozen{Reason: FrozenManually("")}, names.SourceAPI},
		{"a threshold freeze comes from the lifecycle manager", frozen, names.SourceLifecycle},
		{"a cleanup after registration comes from the API",
			CleanAccountRequest{Reason: CleanupAccountRegistration}, names.SourceAPI},
		{"a cleanup after a lease reset comes from the lifecycle manager",
			CleanAccountRequest{Reason: CleanupLeaseReset}, names.SourceLifecycle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.event.Source(); got != tc.want {
				t.Errorf("Source() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDecodeRejectsMalformedDetails(t *testing.T) {
	valid := string(readFixture(t, names.CleanAccountRequest))
	tests := []struct {
		name       string
		detailType string
		detail     string
		unknown    bool
	}{
		{"an unknown detail-type is refused by name", "LeaseExtended", valid, true},
		{"an empty detail-type is refused", "", valid, true},
		{"an unknown field is refused", names.CleanAccountRequest,
			`{"accountId":"123456789012","reason":"LEASE_RESET","awsAccountId":"123456789012"}`, false},
		{"data after the object is refused", names.CleanAccountRequest, valid + `{}`, false},
		{"a truncated object is refused", names.CleanAccountRequest, valid[:len(valid)/2], false},
		{"a field of the wrong JSON type is refused", names.CleanAccountRequest,
			`{"accountId":123456789012,"reason":"LEASE_RESET"}`, false},
		{"a time that is not RFC 3339 is refused", names.LeaseExpired,
			`{"leaseId":{"userEmail":"a@example.com","uuid":"3f2b8c1e-6d4a-4f7b-9c2e-8a1d5e7f9b30"},` +
				`"accountId":"123456789012","leaseExpirationDate":"14/03/2026"}`, false},
		{"a null detail is refused by validation", names.CleanAccountRequest, `null`, false},
		{"an empty detail is refused", names.CleanAccountRequest, ``, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Decode(tc.detailType, []byte(tc.detail))
			if err == nil {
				t.Fatalf("Decode = %#v, want an error", e)
			}
			if !errors.Is(err, fault.Invalid) {
				t.Errorf("error %q does not match fault.Invalid", err)
			}
			if got := errors.Is(err, ErrUnknownDetailType); got != tc.unknown {
				t.Errorf("errors.Is(err, ErrUnknownDetailType) = %v, want %v (err %q)", got, tc.unknown, err)
			}
			if tc.unknown && !strings.Contains(err.Error(), `"`+tc.detailType+`"`) {
				t.Errorf("error %q does not name detail-type %q", err, tc.detailType)
			}
		})
	}
}

func TestEncodeRefusesInvalidEvents(t *testing.T) {
	if _, err := Encode(nil); err == nil {
		t.Error("Encode(nil) succeeded")
	}
	e := fixture[LeaseExpired](t)
	e.AccountID = "12345"
	_, err := Encode(e)
	if !fault.Has(err, "accountId") {
		t.Errorf("Encode of an event with a short account id: err %v, want one naming accountId", err)
	}
}

func TestEncodeOmitsAbsentOptionalFields(t *testing.T) {
	e := fixture[LeaseDurationThresholdAlert](t)
	e.LeaseDurationInHours = nil
	b, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("leaseDurationInHours")) {
		t.Errorf("Encode wrote an absent leaseDurationInHours: %s", b)
	}
	back, err := Decode(e.DetailType(), b)
	if err != nil {
		t.Fatalf("Decode of an alert without leaseDurationInHours: %v", err)
	}
	if got := back.(LeaseDurationThresholdAlert).LeaseDurationInHours; got != nil {
		t.Errorf("LeaseDurationInHours = %d, want nil", *got)
	}
}
