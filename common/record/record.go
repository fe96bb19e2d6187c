// Package record holds an event ready to send: encoded, with an id and a
// time. The stores write records into the outbox in the same transaction
// as the change they announce, and the bus publishes them from there. It
// imports nothing of ours, so the domain packages (lease, account) can
// name records in the writes they describe; events.NewRecord makes them.
package record

import "time"

// Record is one encoded event.
type Record struct {
	ID         string
	Source     string
	DetailType string
	Detail     string
	Time       time.Time
}
