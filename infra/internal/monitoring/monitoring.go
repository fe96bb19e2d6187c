// Package monitoring deploys the platform's scheduled work: the lease
// monitor (hourly: costs, thresholds, expiry, pool gauges), the drift
// monitor (every six hours: accounts against their OUs) and the monthly
// group cost report with its bucket. Each is a scheduled.Job with the
// grants its code needs and nothing more.
package monitoring

import (
	"maps"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/config"
	isbevents "github.com/isb-go/isb/infra/internal/events"
	"github.com/isb-go/isb/infra/internal/platform"
	"github.com/isb-go/isb/infra/internal/scheduled"
)

// Schedules and sizing. The lease monitor must finish a pass well inside
// its hour; the drift monitor may reconcile accounts, so it gets longer.
const (
	LeaseMonitorRate          = "rate(1 hour)"
	LeaseMonitorWindowMinutes = 5
	LeaseMonitorTimeout       = 120
	DriftMonitorRate          = "rate(6 hours)"
	DriftMonitorWindowMinutes = 30
	DriftMonitorTimeout       = 300
	// CostReportCron runs at 03:25 UTC on the 3rd of each month, for the
	// month before: Cost Explorer's figures for the last days of a month
	// settle over the first days of the next.
	CostReportCron          = "cron(25 3 3 * ? *)"
	CostReportWindowMinutes = 360
	CostReportTimeout       = 900
	// The reaper runs every minute, on time: a dead job's account is back
	// in cleanup within its heartbeat timeout plus two minutes.
	ReaperRate    = "rate(1 minute)"
	ReaperTimeout = 50
	MemoryMB      = 256
	RetryAttempts = 10
)

// Props are what the scheduled functions share.
type Props struct {
	Namespace    string
	HubAccountID string
	AssetDir     string
	Tables       api.Tables
	Bus          awsevents.IEventBus
	Key          awskms.IKey
	Config       *api.ConfigReader
	// AccountPoolParamArn and IdcConfigParamArn are the shared parameters
	// in the management and IDC accounts. The hops each job uses are
	// granted by the Compute stack (hub.NewHops).
	AccountPoolParamArn string
	IdcConfigParamArn   string
	LogRetentionDays    int
	Mode                config.Mode
}

// jobProps is the job name run on the schedule scheduleName by
// expression, within a flexible window of windowMinutes, stopped after
// timeoutSeconds.
func jobProps(name, scheduleName, description, expression string, windowMinutes, timeoutSeconds float64,
) scheduled.JobProps {
	return scheduled.JobProps{
		Name: name, ScheduleName: scheduleName, Description: description,
		Schedule: awsscheduler.ScheduleExpression_Expression(jsii.String(expression), nil),
		Window:   awscdk.Duration_Minutes(jsii.Number(windowMinutes)),
		Timeout:  awscdk.Duration_Seconds(jsii.Number(timeoutSeconds)),
	}
}

// storeEnv names the lease, account and outbox tables, and adds extra.
func (p *Props) storeEnv(extra map[string]string) map[string]string {
	t := p.Tables
	env := map[string]string{names.EnvLeaseTable: *t.Leases.TableName(),
		names.EnvAccountTable: *t.Accounts.TableName(), names.EnvOutboxTable: *t.Outbox.TableName()}
	maps.Copy(env, extra)
	return env
}

func (p *Props) job(
	scope constructs.Construct,
	id string,
	jp scheduled.JobProps,
	env map[string]string,
	emits isbevents.Emits,
) *scheduled.Job {
	jp.Namespace, jp.AssetDir, jp.Key = p.Namespace, p.AssetDir, p.Key
	jp.LogRetentionDays, jp.Mode, jp.MemoryMB, jp.RetryAttempts = p.LogRetentionDays, p.Mode, MemoryMB, RetryAttempts
	jp.Environment = map[string]string{names.EnvNamespace: p.Namespace, names.EnvHubAccountID: p.HubAccountID,
		names.EnvEventBus: *p.Bus.EventBusName(), names.EnvAccountPoolParam: p.AccountPoolParamArn}
	for k, v := range env {
		jp.Environment[k] = v
	}
	j := scheduled.New(scope, id, &jp)
	fn := j.Function
	isbevents.GrantPut(p.Bus, fn.Role, emits)
	fn.SuppressGrantWildcards()
	return j
}

// NewLeaseMonitor deploys the hourly lease monitor. It reads leases through
// the status index and writes only their cost fields (with the outbox in
// the same transaction), counts accounts for the pool gauges, reads the
// global configuration (pending-approval timeout), and calls Cost Explorer
// in the management account through the role chain.
func NewLeaseMonitor(scope constructs.Construct, id string, p *Props) *scheduled.Job {
	t := p.Tables
	j := p.job(scope, id, jobProps(names.LambdaLeaseMonitor, names.LeaseMonitoringSchedule,
		"Lease monitor: costs, budget and duration thresholds, expiry, pending-approval timeout, pool gauges",
		LeaseMonitorRate, LeaseMonitorWindowMinutes, LeaseMonitorTimeout), p.storeEnv(nil),
		// A pending lease past its approval timeout is denied as a manager would.
		isbevents.EmitsAll(names.SourceMonitoring).And(names.SourceAPI, names.LeaseDenied))
	fn := j.Function
	t.Leases.GrantReadWriteData(fn.Role)
	t.Outbox.GrantReadWriteData(fn.Role)
	t.Accounts.GrantReadData(fn.Role)
	p.Config.Grant(fn)
	fn.AllowParameters(p.AccountPoolParamArn)
	return j
}

// NewDriftMonitor deploys the drift monitor. It lists the pool OUs in the
// management account, reads every account row (and the leases holding
// them), records two-strike drift flags, and completes its own unfinished
// transitions through the lifecycle manager's reconciler (Organizations
// and Identity Center through the role chain).
func NewDriftMonitor(scope constructs.Construct, id string, p *Props) *scheduled.Job {
	t := p.Tables
	j := p.job(scope, id, jobProps(names.LambdaDriftMonitor, names.DriftMonitoringSchedule,
		"Drift monitor: compares every pool account's OU with its recorded status",
		DriftMonitorRate, DriftMonitorWindowMinutes, DriftMonitorTimeout),
		p.storeEnv(map[string]string{names.EnvIdcConfigParam: p.IdcConfigParamArn}),
		// The reconciler it runs completes the lifecycle manager's transitions,
		// with the lifecycle manager's events.
		isbevents.EmitsAll(names.SourceDrift, names.SourceLifecycle).
			And(names.SourceAPI, names.CleanAccountRequest, names.LeaseTerminated, names.LeaseFrozen))
	fn := j.Function
	t.Accounts.GrantReadWriteData(fn.Role)
	t.Leases.GrantReadWriteData(fn.Role)
	t.Outbox.GrantReadWriteData(fn.Role)
	p.Config.Grant(fn)
	fn.AllowParameters(p.AccountPoolParamArn, p.IdcConfigParamArn)
	return j
}

// NewReaper deploys the reaper: every minute it queries the lease table's
// sparse heartbeat index for overdue leases, re-reads each and ends it
// with the outbox record in one transaction (the lease's version and
// status condition the write), and reads the global configuration (the
// ended lease's TTL). It reads and writes nothing else.
func NewReaper(scope constructs.Construct, id string, p *Props) *scheduled.Job {
	t := p.Tables
	jp := jobProps(names.LambdaReaper, names.ReaperSchedule,
		"Reaper: ends the leases whose holders stopped sending heartbeats", ReaperRate, 0, ReaperTimeout)
	jp.Window = nil
	j := p.job(scope, id, jp, p.storeEnv(nil),
		isbevents.Emits{}.And(names.SourceLifecycle, names.LeaseTerminated))
	fn := j.Function
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("LeasesAndTheirIndex"),
		Actions: jsii.Strings("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"),
		Resources: jsii.Strings(*t.Leases.TableArn(),
			*t.Leases.TableArn()+"/index/"+names.HeartbeatIndex),
	}))
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("OutboxRecords"),
		Actions:   jsii.Strings("dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"),
		Resources: jsii.Strings(*t.Outbox.TableArn()),
	}))
	p.Key.GrantEncryptDecrypt(fn.Role)
	p.Config.Grant(fn)
	return j
}

// CostReport is the monthly group cost report and its bucket.
type CostReport struct {
	*scheduled.Job
	Bucket awss3.Bucket
}

// NewCostReport deploys the monthly group cost report: a versioned,
// KMS-encrypted, SSL-only bucket (with an access-log bucket) and the
// function that reads leases, asks Cost Explorer (through the role chain)
// and writes one CSV per run.
func NewCostReport(scope constructs.Construct, id string, p *Props) *CostReport {
	c := constructs.NewConstruct(scope, jsii.String(id))
	bucket := platform.NewBucket(c, "Bucket", &platform.BucketProps{Key: p.Key, Mode: p.Mode})
	t := p.Tables
	j := p.job(c, "Job", jobProps(names.LambdaCostReporter, names.CostReportSchedule,
		"Group cost report: last month's cost per cost report group, as CSV",
		CostReportCron, CostReportWindowMinutes, CostReportTimeout),
		map[string]string{names.EnvLeaseTable: *t.Leases.TableName(), names.EnvReportBucket: *bucket.BucketName()},
		isbevents.EmitsAll(names.SourceReporting))
	fn := j.Function
	t.Leases.GrantReadData(fn.Role)
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String(
			"WriteReports",
		), Actions: jsii.Strings("s3:PutObject"), Resources: jsii.Strings(*bucket.ArnForObjects(jsii.String("*"))),
	}))
	p.Key.GrantEncrypt(fn.Role)
	platform.Suppress(fn.Role, platform.Suppression{Rule: "AwsSolutions-IAM5",
		Reason: "The report's key carries the month and the run time (yyyy/MM/cost-report-<time>.csv), so s3:PutObject covers the objects of this one bucket.",
		AppliesTo: []string{
			"Resource::<" + *awscdk.Stack_Of(c).GetLogicalId(bucket.Node().DefaultChild().(awscdk.CfnElement)) + ".Arn>/*",
		}})
	fn.AllowParameters(p.AccountPoolParamArn)
	return &CostReport{Job: j, Bucket: bucket}
}
