package events

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
)

func TestParseEnvelopeDecodesDeliveredMessages(t *testing.T) {
	tests := []struct {
		fixture    string
		detailType string
		source     string
		check      func(t *testing.T, env Envelope, e Event)
	}{
		{"envelope-lease-expired", names.LeaseExpired, names.SourceMonitoring,
			func(t *testing.T, _ Envelope, e Event) {
				got := e.(LeaseExpired)
				want := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
				if !got.LeaseExpirationDate.Equal(want) {
					t.Errorf("LeaseExpirationDate = %v, want %v", got.LeaseExpirationDate, want)
				}
			}},
		{"envelope-cleanup-failed", names.AccountCleanupFailed, names.SourceCleaner,
			func(t *testing.T, env Envelope, e Event) {
				if got := e.(AccountCleanupFailed).ConsecutiveFailures; got != 3 {
					t.Errorf("ConsecutiveFailures = %d, want 3", got)
				}
				if len(env.Resources) != 2 {
					t.Errorf("Resources = %v, want 2 ARNs", env.Resources)
				}
			}},
		{"envelope-replayed-lease-terminated", names.LeaseTerminated, names.SourceAPI,
			func(t *testing.T, env Envelope, e Event) {
				if env.ReplayName == "" {
					t.Error("ReplayName is empty")
				}
				if got := e.(LeaseTerminated).Reason.Type; got != TerminationManual {
					t.Errorf("Reason.Type = %s, want %s", got, TerminationManual)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			body := readFixture(t, tc.fixture)
			env, e, err := ParseEnvelope(body)
			if err != nil {
				t.Fatalf("ParseEnvelope: %v", err)
			}
			if env.DetailType != tc.detailType || e.DetailType() != tc.detailType {
				t.Errorf("detail-type: envelope %q, event %q, want %q", env.DetailType, e.DetailType(), tc.detailType)
			}
			if env.Source != tc.source {
				t.Errorf("Source = %q, want %q", env.Source, tc.source)
			}
			if env.Version != EnvelopeVersion || env.ID == "" || env.Time.IsZero() || env.Account == "" ||
				env.Region == "" {
				t.Errorf("envelope metadata incomplete: %+v", env)
			}
			tc.check(t, env, e)
			wantMarshalsTo(t, body, env, "envelope round trip changed it")
		})
	}
}

func TestParseEnvelopeRejectsBadMessages(t *testing.T) {
	good := `"version":"0","id":"1","source":"isb.api","account":"210987654321",` +
		`"time":"2026-03-14T10:00:05Z","region":"eu-west-2","resources":[]`
	clean := `{"accountId":"123456789012","reason":"ACCOUNT_REGISTRATION"}`
	tests := []struct {
		name    string
		body    string
		field   string
		unknown bool
	}{
		{"a body that is not JSON is refused", `hello`, "", false},
		{"an envelope without detail-type names detail-type",
			`{` + good + `,"detail":` + clean + `}`, "detail-type", false},
		{"an envelope without detail names detail",
			`{` + good + `,"detail-type":"CleanAccountRequest"}`, "detail", false},
		{"an envelope with a null detail names detail",
			`{` + good + `,"detail-type":"CleanAccountRequest","detail":null}`, "detail", false},
		{"an envelope of another version names version",
			`{"version":"1","id":"1","source":"isb.api","time":"2026-03-14T10:00:05Z",` +
				`"detail-type":"CleanAccountRequest","detail":` + clean + `}`, "version", false},
		{"an envelope without time names time",
			`{"version":"0","id":"1","source":"isb.api","detail-type":"CleanAccountRequest","detail":` + clean + `}`,
			"time", false},
		{"an envelope of an unknown detail-type is refused by name",
			`{` + good + `,"detail-type":"LeaseExtended","detail":` + clean + `}`, "", true},
		{"a cleanup success announced by the cost reporter names source",
			`{"version":"0","id":"1","source":"isb.reporting","account":"210987654321","time":"2026-03-14T10:00:05Z",` +
				`"detail-type":"AccountCleanupSucceeded","detail":{"accountId":"123456789012","reason":"LEASE_TERMINATION","cleanupExecutionContext":{` +
				`"stateMachineExecutionArn":"arn:aws:states:eu-west-2:210987654321:execution:isb-dev-AccountCleaner:1","stateMachineExecutionStartTime":"2026-03-14T10:02:17.381Z"}}}`,
			"source", false},
		{"a clean account request for a lease termination under the API's source names source",
			`{` + good + `,"detail-type":"CleanAccountRequest","detail":{"accountId":"123456789012","reason":"LEASE_TERMINATION"}}`,
			"source", false},
		{"an envelope whose detail lacks the account id names accountId",
			`{` + good + `,"detail-type":"CleanAccountRequest","detail":{"reason":"LEASE_RESET"}}`, "accountId", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, e, err := ParseEnvelope([]byte(tc.body))
			if err == nil {
				t.Fatalf("ParseEnvelope = %#v, want an error", e)
			}
			if !errors.Is(err, fault.Invalid) {
				t.Errorf("error %v does not match fault.Invalid", err)
			}
			if tc.field != "" && !fault.Has(err, tc.field) {
				t.Errorf("error %v does not name %s", err, tc.field)
			}
			if errors.Is(err, ErrUnknownDetailType) != tc.unknown {
				t.Errorf("errors.Is(err, ErrUnknownDetailType) = %v, want %v", !tc.unknown, tc.unknown)
			}
		})
	}
}

func TestNewEnvelopeIsWhatParseEnvelopeReads(t *testing.T) {
	want := fixture[AccountCleanupSucceeded](t)
	at := time.Date(2026, 3, 14, 11, 0, 0, 0, time.UTC)
	env, err := NewEnvelope(want, "evt-1", "210987654321", "eu-west-2", at)
	if err != nil {
		t.Fatal(err)
	}
	if env.Source != names.SourceCleaner || env.DetailType != names.AccountCleanupSucceeded {
		t.Errorf("envelope source/detail-type = %s/%s", env.Source, env.DetailType)
	}
	body, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	gotEnv, got, err := ParseEnvelope(body)
	if err != nil {
		t.Fatalf("ParseEnvelope(%s): %v", body, err)
	}
	if !gotEnv.Time.Equal(at) || gotEnv.ID != "evt-1" {
		t.Errorf("envelope = %+v", gotEnv)
	}
	wantJSON, _ := Encode(want)
	gotJSON, _ := Encode(got)
	wantSameJSON(t, wantJSON, gotJSON, "event changed through the envelope")

	if _, err := NewEnvelope(CleanAccountRequest{}, "evt-2", "210987654321", "eu-west-2", at); !fault.Has(
		err,
		"accountId",
	) {
		t.Errorf("NewEnvelope of an invalid event: %v, want an error naming accountId", err)
	}
}

func TestEverySourceAnEventNamesIsAllowedForItsDetailType(t *testing.T) {
	evs := []Event{
		fixture[LeaseRequested](t), fixture[LeaseApproved](t), fixture[LeaseDenied](t),
		fixture[LeaseBudgetThresholdAlert](t), fixture[LeaseDurationThresholdAlert](t),
		fixture[LeaseFreezingThresholdAlert](t), fixture[LeaseBudgetExceeded](t), fixture[LeaseExpired](t),
		fixture[LeaseUnfrozen](t), fixture[LeaseProvisioningFailed](t),
		fixture[AccountCleanupSucceeded](t), fixture[AccountCleanupFailed](t), fixture[AccountQuarantined](t),
		fixture[AccountDriftDetected](t), fixture[BlueprintDeploymentRequest](t),
		fixture[BlueprintDeploymentSucceeded](t), fixture[BlueprintDeploymentFailed](t),
		fixture[GroupCostReportGenerated](t), fixture[GroupCostReportGeneratedFailure](t),
	}
	for _, r := range TerminationTypes {
		evs = append(evs, LeaseTerminated{Reason: TerminationReason{Type: r}})
	}
	for _, r := range FreezeTypes {
		evs = append(evs, LeaseFrozen{Reason: FreezeReason{Type: r}})
	}
	for _, r := range CleanupReasons {
		evs = append(evs, CleanAccountRequest{Reason: r})
	}
	for _, e := range evs {
		if !names.SourceMayEmit(e.Source(), e.DetailType()) {
			t.Errorf(
				"%T names source %q, which names.DetailTypeSources does not allow for %s",
				e,
				e.Source(),
				e.DetailType(),
			)
		}
	}
	for _, dt := range names.DetailTypes {
		if len(names.DetailTypeSources[dt]) == 0 {
			t.Errorf("%s has no allowed source", dt)
		}
	}
	if len(names.DetailTypeSources) != len(names.DetailTypes) {
		t.Errorf("DetailTypeSources has %d detail-types, want %d", len(names.DetailTypeSources), len(names.DetailTypes))
	}
}
