package events

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/isb-go/isb/common/record"
)

// Record is an event ready to send (record.Record): encoded, with an id
// and a time.
type Record = record.Record

// NewRecord validates and encodes e. The source is e.Source().
func NewRecord(e Event, now time.Time) (Record, error) {
	detail, err := Encode(e)
	if err != nil {
		return Record{}, err
	}
	return Record{ID: uuid.NewString(), Source: e.Source(), DetailType: e.DetailType(),
		Detail: string(detail), Time: now.UTC()}, nil
}

// Records encodes several events at once; the first invalid one fails all.
func Records(now time.Time, evs ...Event) ([]Record, error) {
	out := make([]Record, 0, len(evs))
	for _, e := range evs {
		r, err := NewRecord(e, now)
		if err != nil {
			return nil, fmt.Errorf("record %s: %w", e.DetailType(), err)
		}
		out = append(out, r)
	}
	return out, nil
}
