package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
)

// EnvelopeVersion is the version EventBridge stamps on every event.
const EnvelopeVersion = "0"

// Envelope is an EventBridge event as a rule delivers it to a target: the
// body of the SQS message when the target is a queue.
type Envelope struct {
	Version    string    `json:"version"`
	ID         string    `json:"id"`
	DetailType string    `json:"detail-type"`
	Source     string    `json:"source"`
	Account    string    `json:"account"`
	Time       time.Time `json:"time"`
	Region     string    `json:"region"`
	Resources  []string  `json:"resources"`
	// ReplayName is set only on events replayed from an archive.
	ReplayName string          `json:"replay-name,omitempty"`
	Detail     json.RawMessage `json:"detail"`
}

// NewEnvelope wraps e the way EventBridge would deliver it, with the
// event's usual source. Tests of consumers use it to build message bodies.
func NewEnvelope(e Event, id, account, region string, at time.Time) (Envelope, error) {
	detail, err := Encode(e)
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{
		Version:    EnvelopeVersion,
		ID:         id,
		DetailType: e.DetailType(),
		Source:     e.Source(),
		Account:    account,
		Time:       at,
		Region:     region,
		Resources:  []string{},
		Detail:     detail,
	}, nil
}

// ParseEnvelope decodes a delivered event (an SQS message body) and its
// detail in one call. The envelope is read leniently, because EventBridge
// may add fields to it; the detail is read strictly by Decode. Like
// Decode, every error it returns matches errors.Is(err, fault.Invalid).
// The source must be one names.DetailTypeSources allows for the
// detail-type, and the one the event itself names (Event.Source): an event
// put on the bus by a component that may not emit it is refused, naming
// "source".
func ParseEnvelope(body []byte) (Envelope, Event, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Envelope{}, nil, fmt.Errorf("decode event envelope: %w: %w", fault.Invalid, err)
	}
	if err := env.validate(); err != nil {
		return Envelope{}, nil, fmt.Errorf("event envelope %s: %w", env.ID, err)
	}
	if Registered(env.DetailType) && !names.SourceMayEmit(env.Source, env.DetailType) {
		return Envelope{}, nil, fmt.Errorf("event %s: %w", env.ID, sourceError(env))
	}
	e, err := Decode(env.DetailType, env.Detail)
	if err != nil {
		return Envelope{}, nil, fmt.Errorf("event %s: %w", env.ID, err)
	}
	if e.Source() != env.Source {
		return Envelope{}, nil, fmt.Errorf("event %s: %w", env.ID, sourceError(env))
	}
	return env, e, nil
}

func sourceError(env Envelope) error {
	var f fault.Fields
	f.Add("source", "%q may not emit this %s", env.Source, env.DetailType)
	return f.Err()
}

func (env Envelope) validate() error {
	var f fault.Fields
	if env.Version != EnvelopeVersion {
		f.Add("version", "must be %q", EnvelopeVersion)
	}
	checkRequired(&f, "id", env.ID)
	checkRequired(&f, "detail-type", env.DetailType)
	checkRequired(&f, "source", env.Source)
	checkTime(&f, "time", env.Time)
	if d := bytes.TrimSpace(env.Detail); len(d) == 0 || bytes.Equal(d, []byte("null")) {
		f.Add("detail", "is required")
	}
	return f.Err()
}
