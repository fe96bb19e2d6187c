// Command reaper ends the leases whose holders stopped sending heartbeats
// (see common/reaper); EventBridge Scheduler invokes it every minute.
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/reaper/wiring"
)

func main() { boot.Main(wiring.Function) }
