package names

import "slices"

// Lambda functions, each named by its directory under functions/, which is
// also the directory of its asset (bootstrap.zip) under the Lambda asset
// directory.
const (
	LambdaAPIAccounts       = "api-accounts"
	LambdaAPIConfigurations = "api-configurations"
	LambdaAPILeaseTemplates = "api-lease-templates"
	LambdaAPILeases         = "api-leases"
	LambdaAuthorizer        = "authorizer"
	LambdaCleanupWatchdog   = "cleanup-watchdog"
	LambdaCleanupWorker     = "cleanup-worker"
	LambdaCostReporter      = "cost-reporter"
	LambdaDriftMonitor      = "drift-monitor"
	LambdaEmailNotifier     = "email-notifier"
	LambdaIdcConfigurer     = "idc-configurer"
	LambdaJWTRotator        = "jwt-rotator"
	LambdaLeaseMonitor      = "lease-monitor"
	LambdaLifecycle         = "lifecycle"
	LambdaOutboxRelay       = "outbox-relay"
	LambdaReaper            = "reaper"
	LambdaSSO               = "sso"
)

// Lambda is what both a function and the stack that deploys it know about
// the function.
type Lambda struct {
	// Dir is the directory under functions/ (one of the Lambda* names).
	Dir string
	// Env are the environment keys the function cannot start without: its
	// boot.Function needs each, and the stack must set each.
	Env []string
}

// The environment every REST API function over the store needs.
var apiEnv = []string{EnvNamespace, EnvLeaseTable, EnvAccountTable, EnvLeaseTemplateTable,
	EnvOutboxTable, EnvSessionTable, EnvEventBus, EnvSessionKeys, EnvPageTokenSecret}

// Lambdas is every Lambda function, in directory order.
var Lambdas = []Lambda{
	{LambdaAPIAccounts, with(apiEnv, EnvHubAccountID, EnvIdcAccountID, EnvAccountPoolParam, EnvIdcConfigParam)},
	{LambdaAPIConfigurations, []string{EnvNamespace, EnvAccountPoolParam, EnvSessionKeys, EnvSessionTable}},
	{LambdaAPILeaseTemplates, apiEnv},
	{LambdaAPILeases, append(slices.Clip(apiEnv), EnvHubAccountID)},
	{LambdaAuthorizer, []string{EnvNamespace, EnvSessionKeys, EnvSessionTable}},
	{LambdaCleanupWatchdog, []string{EnvNamespace, EnvEventBus, EnvWatchdogMaxAgeMinutes}},
	{LambdaCleanupWorker, []string{EnvCleanupProject, EnvCleanupBuildQueueURL}},
	{LambdaCostReporter, []string{EnvNamespace, EnvLeaseTable, EnvEventBus, EnvHubAccountID,
		EnvAccountPoolParam, EnvReportBucket}},
	{LambdaDriftMonitor, []string{EnvNamespace, EnvLeaseTable, EnvAccountTable, EnvOutboxTable,
		EnvEventBus, EnvHubAccountID, EnvAccountPoolParam, EnvIdcConfigParam}},
	{LambdaEmailNotifier, []string{EnvNamespace, EnvHubAccountID, EnvIdcConfigParam, EnvDeliveryTable}},
	{LambdaIdcConfigurer, nil},
	{LambdaJWTRotator, []string{EnvNamespace, EnvSessionKeys}},
	{LambdaLeaseMonitor, []string{EnvNamespace, EnvLeaseTable, EnvAccountTable, EnvOutboxTable,
		EnvEventBus, EnvHubAccountID, EnvAccountPoolParam}},
	{LambdaLifecycle, []string{EnvNamespace, EnvLeaseTable, EnvAccountTable, EnvOutboxTable,
		EnvEventBus, EnvHubAccountID, EnvAccountPoolParam, EnvIdcConfigParam}},
	{LambdaOutboxRelay, []string{EnvOutboxTable, EnvEventBus}},
	{LambdaReaper, []string{EnvNamespace, EnvLeaseTable, EnvAccountTable, EnvOutboxTable, EnvEventBus}},
	{LambdaSSO, []string{EnvNamespace, EnvSessionKeys, EnvIdpMetadataSecret, EnvIdcConfigParam,
		EnvHubAccountID, EnvSessionTable}},
}

// LambdaNamed returns the Lambda whose directory is dir.
func LambdaNamed(dir string) (Lambda, bool) {
	for _, l := range Lambdas {
		if l.Dir == dir {
			return l, true
		}
	}
	return Lambda{}, false
}

// LambdaEnv is the environment the Lambda dir needs; it panics on a name
// not in Lambdas, so a wiring or a stack naming an unknown function fails
// as soon as it is loaded.
func LambdaEnv(dir string) []string {
	l, ok := LambdaNamed(dir)
	if !ok {
		panic("names: no Lambda function " + dir)
	}
	return l.Env
}

func with(base []string, more ...string) []string {
	return append(append([]string(nil), base...), more...)
}
