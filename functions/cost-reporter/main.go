// Command cost-reporter writes the monthly group cost report (see
// common/report). EventBridge Scheduler invokes it monthly with an empty
// payload, which reports the previous calendar month (UTC); an operator
// reports any month by invoking it with {"reportMonth":"yyyy-MM"}.
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/cost-reporter/wiring"
)

func main() { boot.Main(wiring.Function) }
