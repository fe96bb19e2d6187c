// Command lease-monitor is the hourly lease monitor (see common/monitor):
// EventBridge Scheduler invokes it; each invocation is one pass over the
// Active and Frozen leases, the requests pending approval and the pool
// gauges.
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/lease-monitor/wiring"
)

func main() { boot.Main(wiring.Function) }
