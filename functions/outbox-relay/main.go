// Command outbox-relay runs on a schedule and publishes the events a
// failed delivery left in the outbox (see common/outbox), so that every
// committed change is announced in the end.
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/outbox-relay/wiring"
)

func main() { boot.Main(wiring.Function) }
