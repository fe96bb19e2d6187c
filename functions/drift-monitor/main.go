// Command drift-monitor is the drift monitor (see common/drift):
// EventBridge Scheduler invokes it every six hours; each invocation is one
// scan comparing every account's OU with its recorded status.
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/drift-monitor/wiring"
)

func main() { boot.Main(wiring.Function) }
