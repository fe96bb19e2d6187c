// Command cleanup-watchdog makes sure no account stays in CleanUp
// forever: on a Step Functions status change of the cleanup state machine
// (FAILED, TIMED_OUT, ABORTED) and on its schedule (a sweep of every
// account in CleanUp) it reports a cleanup that ended without reporting as
// AccountCleanupFailed (see cleanup.Watchdog).
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/cleanup-watchdog/wiring"
)

func main() { boot.Main(wiring.Function) }
