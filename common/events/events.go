// Package events defines the payloads of the platform's EventBridge events:
// one value type per detail-type in names.DetailTypes, a strict decoder
// keyed by detail-type, an encoder, and the EventBridge envelope as SQS
// delivers it.
//
// Every lease reference is a lease.Key under "leaseId", every account id is
// "accountId", times are RFC 3339 and money is float64 USD. Decode rejects
// unknown fields and runs Validate, so a consumer that got an Event back can
// trust its required fields.
package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
)

// Event is the detail of one platform event.
type Event interface {
	// DetailType is the EventBridge detail-type, one of names.DetailTypes.
	DetailType() string
	// Source is the component that emits the event (one of the
	// names.Source* constants, allowed for the detail-type by
	// names.DetailTypeSources). ParseEnvelope refuses the event under any
	// other source.
	Source() string
	// Validate reports every missing or malformed field as a
	// *fault.ValidationError, or returns nil.
	Validate() error
}

// ErrUnknownDetailType is returned (wrapped) by Decode for a detail-type
// that has no registered event.
var ErrUnknownDetailType = errors.New("unknown event detail-type")

// decoder decodes one detail payload into its event type.
type decoder func(dec *json.Decoder) (Event, error)

// entry pairs a detail-type with the decoder of its struct.
type entry struct {
	detailType string
	decode     decoder
}

// entryFor registers T under the detail-type T reports, so the string is
// never spelled twice.
func entryFor[T Event]() entry {
	var zero T
	return entry{
		detailType: zero.DetailType(),
		decode: func(dec *json.Decoder) (Event, error) {
			var v T
			if err := dec.Decode(&v); err != nil {
				return nil, err
			}
			return v, nil
		},
	}
}

// catalog lists every event type, in names.DetailTypes order.
var catalog = []entry{
	entryFor[LeaseRequested](),
	entryFor[LeaseApproved](),
	entryFor[LeaseDenied](),
	entryFor[LeaseBudgetThresholdAlert](),
	entryFor[LeaseDurationThresholdAlert](),
	entryFor[LeaseFreezingThresholdAlert](),
	entryFor[LeaseBudgetExceeded](),
	entryFor[LeaseExpired](),
	entryFor[LeaseTerminated](),
	entryFor[LeaseFrozen](),
	entryFor[LeaseUnfrozen](),
	entryFor[LeaseProvisioningFailed](),
	entryFor[CleanAccountRequest](),
	entryFor[AccountCleanupSucceeded](),
	entryFor[AccountCleanupFailed](),
	entryFor[AccountQuarantined](),
	entryFor[AccountDriftDetected](),
	entryFor[BlueprintDeploymentRequest](),
	entryFor[BlueprintDeploymentSucceeded](),
	entryFor[BlueprintDeploymentFailed](),
	entryFor[GroupCostReportGenerated](),
	entryFor[GroupCostReportGeneratedFailure](),
}

// The detail-type of each event, and the source of each event that only
// one component emits, in catalog order. CleanAccountRequest,
// LeaseTerminated and LeaseFrozen choose their source by payload (their
// Source methods are with them). BlueprintDeploymentRequest comes from
// the API, where leases are approved; the blueprint workflow is part of
// lease provisioning and has no source of its own, so its results come
// from the lifecycle manager.

func (LeaseRequested) DetailType() string               { return names.LeaseRequested }
func (LeaseRequested) Source() string                   { return names.SourceAPI }
func (LeaseApproved) DetailType() string                { return names.LeaseApproved }
func (LeaseApproved) Source() string                    { return names.SourceAPI }
func (LeaseDenied) DetailType() string                  { return names.LeaseDenied }
func (LeaseDenied) Source() string                      { return names.SourceAPI }
func (LeaseBudgetThresholdAlert) DetailType() string    { return names.LeaseBudgetThresholdAlert }
func (LeaseBudgetThresholdAlert) Source() string        { return names.SourceMonitoring }
func (LeaseDurationThresholdAlert) DetailType() string  { return names.LeaseDurationThresholdAlert }
func (LeaseDurationThresholdAlert) Source() string      { return names.SourceMonitoring }
func (LeaseFreezingThresholdAlert) DetailType() string  { return names.LeaseFreezingThresholdAlert }
func (LeaseFreezingThresholdAlert) Source() string      { return names.SourceMonitoring }
func (LeaseBudgetExceeded) DetailType() string          { return names.LeaseBudgetExceeded }
func (LeaseBudgetExceeded) Source() string              { return names.SourceMonitoring }
func (LeaseExpired) DetailType() string                 { return names.LeaseExpired }
func (LeaseExpired) Source() string                     { return names.SourceMonitoring }
func (LeaseTerminated) DetailType() string              { return names.LeaseTerminated }
func (LeaseFrozen) DetailType() string                  { return names.LeaseFrozen }
func (LeaseUnfrozen) DetailType() string                { return names.LeaseUnfrozen }
func (LeaseUnfrozen) Source() string                    { return names.SourceAPI }
func (LeaseProvisioningFailed) DetailType() string      { return names.LeaseProvisioningFailed }
func (LeaseProvisioningFailed) Source() string          { return names.SourceLifecycle }
func (CleanAccountRequest) DetailType() string          { return names.CleanAccountRequest }
func (AccountCleanupSucceeded) DetailType() string      { return names.AccountCleanupSucceeded }
func (AccountCleanupSucceeded) Source() string          { return names.SourceCleaner }
func (AccountCleanupFailed) DetailType() string         { return names.AccountCleanupFailed }
func (AccountCleanupFailed) Source() string             { return names.SourceCleaner }
func (AccountQuarantined) DetailType() string           { return names.AccountQuarantined }
func (AccountQuarantined) Source() string               { return names.SourceLifecycle }
func (AccountDriftDetected) DetailType() string         { return names.AccountDriftDetected }
func (AccountDriftDetected) Source() string             { return names.SourceDrift }
func (BlueprintDeploymentRequest) DetailType() string   { return names.BlueprintDeploymentRequest }
func (BlueprintDeploymentRequest) Source() string       { return names.SourceAPI }
func (BlueprintDeploymentSucceeded) DetailType() string { return names.BlueprintDeploymentSucceeded }
func (BlueprintDeploymentSucceeded) Source() string     { return names.SourceLifecycle }
func (BlueprintDeploymentFailed) DetailType() string    { return names.BlueprintDeploymentFailed }
func (BlueprintDeploymentFailed) Source() string        { return names.SourceLifecycle }
func (GroupCostReportGenerated) DetailType() string     { return names.GroupCostReportGenerated }
func (GroupCostReportGenerated) Source() string         { return names.SourceReporting }
func (GroupCostReportGeneratedFailure) DetailType() string {
	return names.GroupCostReportGeneratedFailure
}
func (GroupCostReportGeneratedFailure) Source() string { return names.SourceReporting }

var registry = func() map[string]decoder {
	m := make(map[string]decoder, len(catalog))
	for _, e := range catalog {
		if _, dup := m[e.detailType]; dup {
			panic("events: detail-type registered twice: " + e.detailType)
		}
		m[e.detailType] = e.decode
	}
	return m
}()

// Registered reports whether detailType has an event type.
func Registered(detailType string) bool {
	_, ok := registry[detailType]
	return ok
}

// Decode parses the detail of an event of the given detail-type and
// validates it. Unknown fields, trailing data and unknown detail-types are
// errors. Every error Decode returns is permanent, and matches
// errors.Is(err, fault.Invalid): retrying the same message cannot succeed.
// An unknown detail-type also matches ErrUnknownDetailType; a broken rule
// is a *fault.ValidationError naming the field.
func Decode(detailType string, detail []byte) (Event, error) {
	decode, ok := registry[detailType]
	if !ok {
		return nil, fmt.Errorf("%w: %w %q", fault.Invalid, ErrUnknownDetailType, detailType)
	}
	dec := json.NewDecoder(bytes.NewReader(detail))
	dec.DisallowUnknownFields()
	e, err := decode(dec)
	if err != nil {
		return nil, fmt.Errorf("decode %s detail: %w: %w", detailType, fault.Invalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("decode %s detail: %w: data after the JSON object", detailType, fault.Invalid)
	}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("%s detail: %w", detailType, err)
	}
	return e, nil
}

// Encode validates e and returns its detail as JSON, ready for the Detail
// of a PutEvents entry. An invalid event is never encoded.
func Encode(e Event) ([]byte, error) {
	if e == nil {
		return nil, errors.New("encode event: nil event")
	}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("encode %s: %w", e.DetailType(), err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", e.DetailType(), err)
	}
	return b, nil
}
