package events_test

import (
	"fmt"
	"time"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
)

// A publisher builds the typed event and encodes its detail for PutEvents.
func ExampleEncode() {
	e := events.LeaseTerminated{
		LeaseID:   lease.Key{UserEmail: "maria.silva@example.com", UUID: "3f2b8c1e-6d4a-4f7b-9c2e-8a1d5e7f9b30"},
		AccountID: "123456789012",
		Reason:    events.TerminatedWithComment(events.TerminationManual, "Workshop finished"),
	}
	detail, err := events.Encode(e)
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Source(), e.DetailType())
	fmt.Println(string(detail))
	// Output:
	// isb.api LeaseTerminated
	// {"leaseId":{"userEmail":"maria.silva@example.com","uuid":"3f2b8c1e-6d4a-4f7b-9c2e-8a1d5e7f9b30"},"accountId":"123456789012","reason":{"type":"ManuallyTerminated","comment":"Workshop finished"}}
}

// A consumer fed by SQS decodes each message body in one call and
// switches on the event type.
func ExampleParseEnvelope() {
	body := `{"version":"0","id":"6f1c2d3e","detail-type":"LeaseExpired","source":"isb.monitoring",
		"account":"210987654321","time":"2026-03-14T10:00:05Z","region":"eu-west-2","resources":[],
		"detail":{"leaseId":{"userEmail":"maria.silva@example.com","uuid":"3f2b8c1e-6d4a-4f7b-9c2e-8a1d5e7f9b30"},
		"accountId":"123456789012","leaseExpirationDate":"2026-03-14T09:30:00Z"}}`
	env, e, err := events.ParseEnvelope([]byte(body))
	if err != nil {
		// Every error is permanent (fault.Invalid): report the message as
		// failed so it reaches the DLQ, do not retry it.
		panic(err)
	}
	switch e := e.(type) {
	case events.LeaseExpired:
		fmt.Println(env.ID, "lease", e.LeaseID, "on", e.AccountID, "expired at", e.LeaseExpirationDate.Format(time.RFC3339))
	case events.LeaseBudgetExceeded:
		fmt.Println("over budget:", e.TotalSpend)
	}
	// Output:
	// 6f1c2d3e lease maria.silva@example.com/3f2b8c1e-6d4a-4f7b-9c2e-8a1d5e7f9b30 on 123456789012 expired at 2026-03-14T09:30:00Z
}
