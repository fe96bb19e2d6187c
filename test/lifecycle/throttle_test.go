package lifecycle_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/test/emulator"
)

// throttleRun is how many times in a row Organizations throttles each
// account's MoveAccount: one more than the SDK's default attempts.
const throttleRun = 3

// During a mass termination Organizations' low request rates answer the
// moves with TooManyRequestsException again and again. The manager backs
// off inside the call and finishes every termination on its first
// delivery; giving up would return the event to the queue for a
// visibility timeout (six minutes on AWS), and five such failures would
// put it in the DLQ.
func TestTerminationsRideOutOrganizationsThrottlingOnTheirFirstDelivery(t *testing.T) {
	network := &emulator.Network{OrgThrottled: []string{"MoveAccount"}, OrgThrottleRun: throttleRun}
	w := newWorld(t, func(c *aws.Config) {
		// The SDK's default retries, as in Lambda (the emulator's
		// configuration makes one attempt).
		c.Retryer, c.RetryMaxAttempts = nil, 0
		*c = network.Wrap(*c)
	})
	var evs []events.Event
	var ids []string
	for i := range 3 {
		email := fmt.Sprintf("dev%d@example.com", i)
		l, id := w.leased(email, lease.ManuallyTerminated, account.Active, account.Active)
		w.grantAccess(id, email)
		evs = append(evs, events.LeaseTerminated{LeaseID: l.Key, AccountID: id,
			Reason: events.TerminatedWithComment(events.TerminationManual, "done")})
		ids = append(ids, id)
	}

	if r := w.send(evs...); len(r.BatchItemFailures) > 0 {
		t.Fatalf("%d of %d terminations failed under throttling and go back to the queue: %+v",
			len(r.BatchItemFailures), len(evs), r.BatchItemFailures)
	}
	for _, id := range ids {
		if got := w.account(id).Status; got != account.CleanUp {
			t.Errorf("account %s is %s, want CleanUp", id, got)
		}
		if got := w.ouOf(id); got != string(account.CleanUp) {
			t.Errorf("account %s is in %s, want the CleanUp OU", id, got)
		}
		if got := w.assignees(id); len(got) > 0 {
			t.Errorf("account %s still has users assigned: %v", id, got)
		}
	}
	if got, want := network.Throttled("MoveAccount"), throttleRun*len(ids); got != want {
		t.Errorf("Organizations throttled %d moves, want %d", got, want)
	}
}
