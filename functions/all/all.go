// Package all lists every function, so that local mode can build each
// production handler in one process.
package all

import (
	accounts "github.com/isb-go/isb/functions/api-accounts/wiring"
	configurations "github.com/isb-go/isb/functions/api-configurations/wiring"
	templates "github.com/isb-go/isb/functions/api-lease-templates/wiring"
	leases "github.com/isb-go/isb/functions/api-leases/wiring"
	authorizer "github.com/isb-go/isb/functions/authorizer/wiring"
	"github.com/isb-go/isb/functions/boot"
	watchdog "github.com/isb-go/isb/functions/cleanup-watchdog/wiring"
	worker "github.com/isb-go/isb/functions/cleanup-worker/wiring"
	costs "github.com/isb-go/isb/functions/cost-reporter/wiring"
	drift "github.com/isb-go/isb/functions/drift-monitor/wiring"
	email "github.com/isb-go/isb/functions/email-notifier/wiring"
	idc "github.com/isb-go/isb/functions/idc-configurer/wiring"
	rotator "github.com/isb-go/isb/functions/jwt-rotator/wiring"
	monitor "github.com/isb-go/isb/functions/lease-monitor/wiring"
	lifecycle "github.com/isb-go/isb/functions/lifecycle/wiring"
	relay "github.com/isb-go/isb/functions/outbox-relay/wiring"
	reaper "github.com/isb-go/isb/functions/reaper/wiring"
	sso "github.com/isb-go/isb/functions/sso/wiring"
)

// Functions is every function under functions/, in directory order.
var Functions = []boot.Function{
	accounts.Function, configurations.Function, templates.Function, leases.Function,
	authorizer.Function, watchdog.Function, worker.Function, costs.Function, drift.Function,
	email.Function, idc.Function, rotator.Function, monitor.Function, lifecycle.Function,
	relay.Function, reaper.Function, sso.Function,
}
