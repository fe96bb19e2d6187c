// Package names owns every name that both the infrastructure (CDK) and the
// code need: table, index and attribute names, event sources and
// detail-types, bus and queue names, and the environment variable keys
// that carry them into the Lambdas. Nothing here is spelled twice.
package names

import (
	"fmt"
	"slices"
)

// DefaultNamespace is the namespace used when none is configured.
const DefaultNamespace = "isb"

// Resource base names. The physical name of a resource is Physical(ns, base).
const (
	LeaseTable         = "Leases"
	AccountTable       = "SandboxAccounts"
	LeaseTemplateTable = "LeaseTemplates"
	// OutboxTable holds events written in the same transaction as the
	// change they announce, until the bus has them.
	OutboxTable = "Outbox"
	// DeliveryTable remembers which notifications were sent, so an event
	// delivered twice sends its email once (items expire by TTL).
	DeliveryTable = "Deliveries"
	// SessionTable holds one-time sign-in request ids and revoked session
	// token ids, each until its TTL.
	SessionTable = "Sessions"
	EventBus     = "Events"
)

// Physical returns the deployed name of the resource base in namespace ns,
// for example "isb-dev-Leases". An empty namespace uses DefaultNamespace.
func Physical(namespace, base string) string {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	return fmt.Sprintf("isb-%s-%s", namespace, base)
}

// Role base names; the deployed role name is Physical(ns, base). The hub's
// functions build the target ARNs from these, so they must match the stacks.
//
// Every cross-account call takes two hops: a hop role in the hub, then the
// target role in the other account. There is one hop per target, each
// trusted only by the functions that reach that target, so a function
// that only reads Identity Center cannot move accounts or nuke them.
const (
	// OrgMgtHopRole is the hub hop to OrgMgtRole.
	OrgMgtHopRole = "OrgMgtHopRole"
	// IdcHopRole is the hub hop to IdcRole.
	IdcHopRole = "IdcHopRole"
	// IdcReadOnlyHopRole is the hub hop to IdcReadOnlyRole.
	IdcReadOnlyHopRole = "IdcReadOnlyHopRole"
	// SandboxHopRole is the hub hop to SandboxAccountRole in pool accounts.
	SandboxHopRole = "SandboxHopRole"
	// OrgMgtRole is assumed (through OrgMgtHopRole) for Organizations
	// and Cost Explorer calls in the management account.
	OrgMgtRole = "OrgMgtRole"
	// IdcRole is assumed (through IdcHopRole) for Identity Store and SSO
	// Admin calls that change access (account assignments).
	IdcRole = "IdcRole"
	// IdcReadOnlyRole is assumed (through IdcReadOnlyHopRole) by the
	// sign-in and email functions, which only read users and groups.
	IdcReadOnlyRole = "IdcReadOnlyRole"
	// SandboxAccountRole is the cleanup role in every pool account,
	// assumed (through SandboxHopRole) by the account cleaner.
	SandboxAccountRole = "SandboxAccountRole"
	// LesseeHopRole is the hub hop to LesseeRole in pool accounts.
	LesseeHopRole = "LesseeHopRole"
	// LesseeRole is the role whose short sessions a lessee gets in the
	// leased account (GET /leases/{leaseId}/credentials), assumed through
	// LesseeHopRole. Its deployed name is RoleName(ns, LesseeRole).
	LesseeRole = "LesseeRole"
)

// RoleName is the deployed name of a role base. Every platform role is
// Physical(ns, base) but the lessee role, which is "Lessee-" + Physical:
// the SCPs exempt principals named isb-<ns>-* (the platform's own roles)
// from the lease write protection and the control-plane protection, and
// a lessee's session must get neither exemption, while the control-plane
// protection of roles named *isb-<ns>-* still keeps the lessee from
// changing its own role.
func RoleName(namespace, base string) string {
	if base == LesseeRole {
		return "Lessee-" + Physical(namespace, base)
	}
	return Physical(namespace, base)
}

// hops maps each target role to the one hub hop that may assume it.
var hops = map[string]string{
	OrgMgtRole:         OrgMgtHopRole,
	IdcRole:            IdcHopRole,
	IdcReadOnlyRole:    IdcReadOnlyHopRole,
	SandboxAccountRole: SandboxHopRole,
	LesseeRole:         LesseeHopRole,
}

// HopFor returns the hub hop role (base name) that reaches the target role
// base, and false when target is not a cross-account target.
func HopFor(target string) (string, bool) {
	h, ok := hops[target]
	return h, ok
}

// HopTargets lists the target roles, one per hop.
var HopTargets = []string{OrgMgtRole, IdcRole, IdcReadOnlyRole, SandboxAccountRole, LesseeRole}

// SandboxAccountStackSet is the base name of the StackSet that deploys the
// cleanup role into every pool account. CloudFormation names each stack
// instance "StackSet-" + Physical(ns, SandboxAccountStackSet) + "-<uuid>";
// the nuke template keeps those stacks.
const SandboxAccountStackSet = "SandboxAccount"

// SSM parameter base names; the parameter name is "/" + Physical(ns, base).
// Their JSON documents are config.AccountPoolParam, config.IdcParam and
// config.DataParam.
const (
	AccountPoolConfigParam = "AccountPoolConfig"
	IdcConfigParam         = "IdcConfig"
	DataConfigParam        = "DataConfig"
)

// AppConfig names. The application is Physical(ns, AppConfigApplication).
const (
	AppConfigApplication   = "Config"
	AppConfigEnvironment   = "live"
	GlobalConfigProfile    = "global-config"
	NukeConfigProfile      = "nuke-config"
	ReportingConfigProfile = "reporting-config"
)

// SessionKeys is the base name of the secret that publishes the session
// token verification keys (public keys only): Physical(ns, SessionKeys).
const SessionKeys = "SessionPublicKeys"

// SessionKeysPlaceholder is the public-key secret's value before its first
// rotation: a document that publishes no key.
const SessionKeysPlaceholder = "{}"

// SigningKeyTag is the tag, valued with the namespace, that marks the KMS
// keys session tokens are signed with: IAM grants kms:Sign on keys carrying
// it, so keys a rotation creates are covered.
const SigningKeyTag = "isb-session-signing"

// SigningKeyAlias is the alias of the signing key created by the rotation
// with version id version (one alias per key: retries find it).
func SigningKeyAlias(namespace, version string) string {
	return "alias/" + Physical(namespace, "session-signing-"+version)
}

// IdpMetadataSecret is the base name of the secret an administrator fills
// with the Identity Center SAML application's metadata (XML).
const IdpMetadataSecret = "IdpMetadata"

// PageTokenSecret is the base name of the secret that seals API page
// tokens: Physical(ns, PageTokenSecret).
const PageTokenSecret = "PageTokenSecret"

// MetricNamespace returns the CloudWatch namespace of the platform's custom
// metrics, for example "ISB/dev".
func MetricNamespace(ns string) string { return "ISB/" + ns }

// Custom metrics the functions publish and the Compute stack alarms on.
const (
	// MetricAvailableAccounts is the number of accounts in Available.
	MetricAvailableAccounts = "AvailableAccounts"
	// MetricQuarantinedAccounts is the number of accounts in Quarantine.
	MetricQuarantinedAccounts = "QuarantinedAccounts"
	// MetricCleanupFailures counts failed cleanups (one per failure).
	MetricCleanupFailures = "CleanupFailures"
	// MetricAuthorizerErrors counts authorizer faults (not denials).
	MetricAuthorizerErrors = "AuthorizerErrors"
)

// TagNamespace is the tag key carrying the namespace on every resource of a
// deployment; it is also the cost allocation tag the AccountPool stack
// activates.
const TagNamespace = "isb:namespace"

// Index names.
const (
	// StatusIndex is the global secondary index of the lease and account
	// tables: partition key AttrStatus, sort key AttrStatusChangedAt.
	StatusIndex = "StatusIndex"
	// OutboxPendingIndex is the global secondary index of the outbox table
	// that lists undelivered records oldest first: partition key
	// AttrPending (always OutboxPending), sort key AttrCreatedAt.
	OutboxPendingIndex = "PendingIndex"
	// HeartbeatIndex is the sparse global secondary index of the lease
	// table that lists the leases with a heartbeat deadline, earliest
	// first: partition key AttrBeating (always Beating), sort key
	// AttrHeartbeatDeadline. Only a lease that beats and has not ended
	// carries the attributes, so the reaper reads overdue leases only.
	HeartbeatIndex = "HeartbeatIndex"
)

// Beating is the AttrBeating value of every lease with a heartbeat
// deadline; an ended lease drops it and leaves the heartbeat index.
const Beating = "beating"

// OutboxPending is the AttrPending value of every undelivered outbox
// record. A delivered record is deleted, so it leaves the index.
const OutboxPending = "pending"

// Attribute names used in key schemas, indexes and TTL.
const (
	AttrUserEmail       = "userEmail"
	AttrUUID            = "uuid"
	AttrAccountID       = "awsAccountId"
	AttrStatus          = "status"
	AttrStatusChangedAt = "statusChangedAt"
	AttrTTL             = "ttl"
	AttrVersion         = "version"
	AttrID              = "id"
	AttrPending         = "pending"
	AttrCreatedAt       = "createdAt"
	AttrBeating         = "beating"
	// AttrHeartbeatDeadline is a lease's last beat plus its timeout.
	AttrHeartbeatDeadline = "heartbeatDeadline"
)

// Environment variable keys read by the functions and set by the stacks.
const (
	EnvNamespace          = "ISB_NAMESPACE"
	EnvLeaseTable         = "ISB_LEASE_TABLE"
	EnvAccountTable       = "ISB_ACCOUNT_TABLE"
	EnvLeaseTemplateTable = "ISB_LEASE_TEMPLATE_TABLE"
	EnvOutboxTable        = "ISB_OUTBOX_TABLE"
	EnvDeliveryTable      = "ISB_DELIVERY_TABLE"
	EnvSessionTable       = "ISB_SESSION_TABLE"
	// EnvReportBucket is the bucket the group cost report is written to.
	EnvReportBucket  = "ISB_REPORT_BUCKET"
	EnvEventBus      = "ISB_EVENT_BUS"
	EnvPageTokenKey  = "ISB_PAGE_TOKEN_KEY"
	EnvReuseCooldown = "ISB_ACCOUNT_REUSE_COOLDOWN"
	// EnvSessionKeys is the name or ARN of the secret publishing the
	// session token public keys.
	EnvSessionKeys = "ISB_SESSION_KEYS"
	// EnvIdpMetadataSecret is the name or ARN of the secret holding the
	// Identity Center SAML application's metadata document.
	EnvIdpMetadataSecret = "ISB_IDP_METADATA_SECRET"
	// EnvIdcConfigParam is the ARN of the IDC stack's shared parameter
	// (config.IdcParam: identity store and group ids).
	EnvIdcConfigParam = "ISB_IDC_CONFIG_PARAM"
	// EnvPageTokenSecret is the name or ARN of the secret that seals the
	// API's page tokens (read on the first listing, not at start).
	EnvPageTokenSecret = "ISB_PAGE_TOKEN_SECRET"
	// EnvAccountPoolParam is the ARN of the AccountPool stack's shared
	// parameter (config.AccountPoolParam), read across accounts.
	EnvAccountPoolParam = "ISB_ACCOUNT_POOL_PARAM"
	// EnvHubAccountID and EnvIdcAccountID name the accounts that may never
	// join the pool (with the management account from the pool parameter).
	EnvHubAccountID = "ISB_HUB_ACCOUNT_ID"
	EnvIdcAccountID = "ISB_IDC_ACCOUNT_ID"
	// EnvEndpoint overrides every AWS endpoint (the local emulator).
	EnvEndpoint = "ISB_AWS_ENDPOINT"
	// EnvStsEndpoint adds an STS endpoint (the local emulator's) to those
	// a machine sign-in may be replayed to; unset in a deployment.
	EnvStsEndpoint = "ISB_STS_ENDPOINT"
)

// Event sources: the component that emits an event.
const (
	SourceAPI        = "isb.api"
	SourceLifecycle  = "isb.lifecycle"
	SourceMonitoring = "isb.monitoring"
	SourceDrift      = "isb.drift"
	SourceCleaner    = "isb.cleaner"
	SourceReporting  = "isb.reporting"
)

// Event detail-types: the 22 events of the platform.
const (
	LeaseRequested                  = "LeaseRequested"
	LeaseApproved                   = "LeaseApproved"
	LeaseDenied                     = "LeaseDenied"
	LeaseBudgetThresholdAlert       = "LeaseBudgetThresholdAlert"
	LeaseDurationThresholdAlert     = "LeaseDurationThresholdAlert"
	LeaseFreezingThresholdAlert     = "LeaseFreezingThresholdAlert"
	LeaseBudgetExceeded             = "LeaseBudgetExceeded"
	LeaseExpired                    = "LeaseExpired"
	LeaseTerminated                 = "LeaseTerminated"
	LeaseFrozen                     = "LeaseFrozen"
	LeaseUnfrozen                   = "LeaseUnfrozen"
	LeaseProvisioningFailed         = "LeaseProvisioningFailed"
	CleanAccountRequest             = "CleanAccountRequest"
	AccountCleanupSucceeded         = "AccountCleanupSucceeded"
	AccountCleanupFailed            = "AccountCleanupFailed"
	AccountQuarantined              = "AccountQuarantined"
	AccountDriftDetected            = "AccountDriftDetected"
	BlueprintDeploymentRequest      = "BlueprintDeploymentRequest"
	BlueprintDeploymentSucceeded    = "BlueprintDeploymentSucceeded"
	BlueprintDeploymentFailed       = "BlueprintDeploymentFailed"
	GroupCostReportGenerated        = "GroupCostReportGenerated"
	GroupCostReportGeneratedFailure = "GroupCostReportGeneratedFailure"
)

// DetailTypeSources maps each detail-type to the sources allowed to emit
// it. It is the one table behind the bus rules (each matches source per
// detail-type), the decoder (an event from another source is refused) and
// every function's events:PutEvents grant: a component that may not emit an
// event cannot forge it, for example the cost reporter announcing a clean
// account.
var DetailTypeSources = map[string][]string{
	LeaseRequested:                  {SourceAPI},
	LeaseApproved:                   {SourceAPI},
	LeaseDenied:                     {SourceAPI},
	LeaseBudgetThresholdAlert:       {SourceMonitoring},
	LeaseDurationThresholdAlert:     {SourceMonitoring},
	LeaseFreezingThresholdAlert:     {SourceMonitoring},
	LeaseBudgetExceeded:             {SourceMonitoring},
	LeaseExpired:                    {SourceMonitoring},
	LeaseTerminated:                 {SourceAPI, SourceLifecycle},
	LeaseFrozen:                     {SourceAPI, SourceLifecycle},
	LeaseUnfrozen:                   {SourceAPI},
	LeaseProvisioningFailed:         {SourceLifecycle},
	CleanAccountRequest:             {SourceAPI, SourceLifecycle},
	AccountCleanupSucceeded:         {SourceCleaner},
	AccountCleanupFailed:            {SourceCleaner},
	AccountQuarantined:              {SourceLifecycle},
	AccountDriftDetected:            {SourceDrift},
	BlueprintDeploymentRequest:      {SourceAPI},
	BlueprintDeploymentSucceeded:    {SourceLifecycle},
	BlueprintDeploymentFailed:       {SourceLifecycle},
	GroupCostReportGenerated:        {SourceReporting},
	GroupCostReportGeneratedFailure: {SourceReporting},
}

// SourceMayEmit reports whether source is allowed to emit detailType.
func SourceMayEmit(source, detailType string) bool {
	return slices.Contains(DetailTypeSources[detailType], source)
}

// Sources lists every event source.
var Sources = []string{SourceAPI, SourceLifecycle, SourceMonitoring, SourceDrift, SourceCleaner, SourceReporting}

// BySource groups detailTypes by the sources allowed to emit them: for
// each source (in Sources order) the detail-types of the list it may
// emit, in list order. Sources that may emit none of them are left out.
func BySource(detailTypes []string) map[string][]string {
	out := map[string][]string{}
	for _, s := range Sources {
		for _, dt := range detailTypes {
			if SourceMayEmit(s, dt) {
				out[s] = append(out[s], dt)
			}
		}
	}
	return out
}

// LifecycleDetailTypes are the events the account lifecycle manager
// consumes (common/lifecycle): the bus rule routes exactly these to its
// queue.
var LifecycleDetailTypes = []string{
	LeaseApproved, LeaseTerminated, LeaseFrozen, LeaseUnfrozen,
	LeaseFreezingThresholdAlert, LeaseBudgetExceeded, LeaseExpired,
	CleanAccountRequest, AccountCleanupSucceeded, AccountCleanupFailed, AccountDriftDetected,
}

// LifecycleQueue is the base name of the lifecycle manager's queue (its
// dead-letter queue adds "DLQ").
const LifecycleQueue = "LifecycleEvents"

// DetailTypes lists every event detail-type, in catalog order.
var DetailTypes = []string{
	LeaseRequested, LeaseApproved, LeaseDenied,
	LeaseBudgetThresholdAlert, LeaseDurationThresholdAlert, LeaseFreezingThresholdAlert,
	LeaseBudgetExceeded, LeaseExpired, LeaseTerminated, LeaseFrozen, LeaseUnfrozen,
	LeaseProvisioningFailed, CleanAccountRequest, AccountCleanupSucceeded,
	AccountCleanupFailed, AccountQuarantined, AccountDriftDetected,
	BlueprintDeploymentRequest, BlueprintDeploymentSucceeded, BlueprintDeploymentFailed,
	GroupCostReportGenerated, GroupCostReportGeneratedFailure,
}

// ---------------------------------------------------------------------------
// Account cleaner: resources and the environment of the cleaner
// program (CodeBuild), its worker and its watchdog.
// ---------------------------------------------------------------------------

// Cleaner resource base names: Physical(ns, base).
const (
	// CleanupStateMachine drives one cleanup of one account.
	CleanupStateMachine = "Cleanup"
	// CleanupBuildQueue carries the state machine's build requests (with
	// their task token) to the worker that starts CodeBuild.
	CleanupBuildQueue = "CleanupBuilds"
	// CleanupProject is the CodeBuild project that runs aws-nuke.
	CleanupProject = "Cleanup"
)

// Environment of the cleaner program, the cleanup worker and the watchdog.
const (
	EnvCleanupAccountID = "ISB_CLEANUP_ACCOUNT_ID"
	EnvCleanupTaskToken = "ISB_CLEANUP_TASK_TOKEN"
	// EnvManagementAccountID is the Organizations management account (the
	// hub and IDC accounts are EnvHubAccountID and EnvIdcAccountID).
	EnvManagementAccountID = "ISB_MANAGEMENT_ACCOUNT_ID"
	// EnvAwsNukeBinary is the aws-nuke executable the cleaner runs.
	EnvAwsNukeBinary = "ISB_AWS_NUKE"
	// EnvAwsNukeSHA256 is the sha256 the cleaner checks the binary against.
	EnvAwsNukeSHA256 = "ISB_AWS_NUKE_SHA256"
	// EnvNukeConfigFile and EnvGlobalConfigFile are the configuration
	// files the cleaner reads (the build fetches them from AppConfig).
	EnvNukeConfigFile   = "ISB_NUKE_CONFIG_FILE"
	EnvGlobalConfigFile = "ISB_GLOBAL_CONFIG_FILE"
	EnvCleanupProject   = "ISB_CLEANUP_PROJECT"
	// EnvCleanupBuildQueueURL is the build queue, where the worker puts back
	// a request CodeBuild's concurrent-build quota refused.
	EnvCleanupBuildQueueURL = "ISB_CLEANUP_BUILD_QUEUE_URL"
	// EnvCleanupQuotaBackoffSeconds is the worker's first wait after such a
	// refusal (30 s when unset; local mode shortens it).
	EnvCleanupQuotaBackoffSeconds = "ISB_CLEANUP_QUOTA_BACKOFF_SECONDS"
	EnvStateMachineArn            = "ISB_CLEANUP_STATE_MACHINE_ARN"
	// EnvWatchdogMaxAgeMinutes: a cleanup running longer is stopped.
	EnvWatchdogMaxAgeMinutes = "ISB_CLEANUP_MAX_AGE_MINUTES"
	// EnvDriftGraceSeconds is how long after a status change the drift
	// monitor leaves an account alone. The stacks leave it unset (the
	// drift package's default); local mode shortens it so drift shows at
	// once.
	EnvDriftGraceSeconds = "ISB_DRIFT_GRACE_SECONDS"
)

// ---------------------------------------------------------------------------
// Lease monitoring, drift monitoring and email notifications.
// ---------------------------------------------------------------------------

// Schedule and queue base names: Physical(ns, base).
const (
	// LeaseMonitoringSchedule runs the lease monitor every hour.
	LeaseMonitoringSchedule = "LeaseMonitoring"
	// DriftMonitoringSchedule runs the drift monitor every six hours.
	DriftMonitoringSchedule = "DriftMonitoring"
	// ReaperSchedule runs the reaper every minute.
	ReaperSchedule = "Reaper"
	// CostReportSchedule runs the group cost report monthly.
	CostReportSchedule = "CostReport"
	// ReportBucket holds the monthly group cost reports (CSV).
	ReportBucket = "reports"
	// EmailQueue carries the events that send email to the email
	// notifier (its dead-letter queue adds "DLQ").
	EmailQueue = "EmailEvents"
)

// EmailDetailTypes are the events the email notifier consumes
// (common/notify): the bus rule routes exactly these to its queue.
var EmailDetailTypes = []string{
	LeaseRequested, LeaseApproved, LeaseDenied,
	LeaseBudgetThresholdAlert, LeaseDurationThresholdAlert,
	LeaseFrozen, LeaseTerminated, LeaseUnfrozen, LeaseProvisioningFailed,
	AccountCleanupFailed, AccountDriftDetected,
	GroupCostReportGenerated, GroupCostReportGeneratedFailure,
}

// Metrics of the monitors and the notifier (the lease monitor also
// publishes MetricAvailableAccounts and MetricQuarantinedAccounts every
// run, which the pool alarms watch).
const (
	// MetricDriftedAccounts is the number of accounts a drift scan found
	// outside the OU their status names (confirmed or not).
	MetricDriftedAccounts = "DriftedAccounts"
	// MetricEmailFailures counts recipients an email could not reach.
	MetricEmailFailures = "EmailFailures"
)

// ---------------------------------------------------------------------------
// Event routing and sizing shared by the stacks and local mode (which runs
// the same routes on the emulator): the consumers' batch sizes, their
// concurrency and how often a message is tried before its dead-letter
// queue.
// ---------------------------------------------------------------------------

// Consumer is how one function consumes its queue.
type Consumer struct {
	// Function is the consuming function's directory under functions/.
	Function string
	// Queue is the queue's base name (its DLQ adds "DLQ").
	Queue string
	// DetailTypes are the events the bus rule routes to the queue.
	DetailTypes []string
	// TimeoutSeconds is the function's timeout; the queue's visibility
	// timeout is six times it, as AWS advises for SQS event sources.
	TimeoutSeconds int
	BatchSize      int
	MaxConcurrency int
	// MaxReceiveCount is how often a message is tried before the DLQ.
	MaxReceiveCount int
}

// LifecycleConsumer is the lifecycle manager's queue. MaxConcurrency stays
// well inside the Organizations and SSO Admin rate limits; each instance
// works on several accounts at once.
var LifecycleConsumer = Consumer{Function: LambdaLifecycle, Queue: LifecycleQueue, DetailTypes: LifecycleDetailTypes,
	TimeoutSeconds: 60, BatchSize: 10, MaxConcurrency: 5, MaxReceiveCount: 5}

// EmailConsumer is the email notifier's queue: sends are few and small,
// two instances stay well inside SES's default sending rate.
var EmailConsumer = Consumer{Function: LambdaEmailNotifier, Queue: EmailQueue, DetailTypes: EmailDetailTypes,
	TimeoutSeconds: 120, BatchSize: 10, MaxConcurrency: 2, MaxReceiveCount: 5}

// CleanupBuildMaxReceiveCount is how often a build request is tried
// before the build queue's DLQ.
const CleanupBuildMaxReceiveCount = 3

// CleanupWorkerConsumer is the cleanup worker's build queue (fed by the
// state machine, not by a rule): one request per invocation, so a request
// refused or failed is handled alone.
var CleanupWorkerConsumer = Consumer{Function: LambdaCleanupWorker, Queue: CleanupBuildQueue,
	TimeoutSeconds: 10, BatchSize: 1, MaxConcurrency: 2, MaxReceiveCount: CleanupBuildMaxReceiveCount}

// RulePattern is the event pattern matching detailTypes only from the
// sources DetailTypeSources allows for each: one "$or" branch per source,
// so an event another component forges is never delivered.
func RulePattern(detailTypes []string) map[string]any {
	groups := BySource(detailTypes)
	var branches []any
	for _, s := range Sources {
		if dts, ok := groups[s]; ok {
			list := make([]any, len(dts))
			for i, d := range dts {
				list[i] = d
			}
			branches = append(branches, map[string]any{"source": []any{s}, "detail-type": list})
		}
	}
	return map[string]any{"$or": branches}
}

// PoolOU is the base name of the pool OU, Physical(ns, PoolOU); the seven
// state OUs under it are named as the account.OU values.
const PoolOU = "AccountPool"

// APIFunctions names the function (directory under functions/) that
// serves each route family of common/routes.
var APIFunctions = map[string]string{
	"leases": LambdaAPILeases, "lease-templates": LambdaAPILeaseTemplates,
	"accounts": LambdaAPIAccounts, "configurations": LambdaAPIConfigurations, "auth": LambdaSSO,
}

// Scheduled jobs: the function each schedule runs.
const (
	LeaseMonitorFunction    = LambdaLeaseMonitor
	DriftMonitorFunction    = LambdaDriftMonitor
	CostReportFunction      = LambdaCostReporter
	OutboxRelayFunction     = LambdaOutboxRelay
	CleanupWatchdogFunction = LambdaCleanupWatchdog
	ReaperFunction          = LambdaReaper
	AuthorizerFunction      = LambdaAuthorizer
)
