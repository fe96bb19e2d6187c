package stacks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	isbevents "github.com/isb-go/isb/infra/internal/events"
	"github.com/isb-go/isb/infra/internal/monitoring"
)

// functionByDescription returns the logical id and properties of the one
// function whose description starts with prefix.
func functionByDescription(t *testing.T, all map[string]resource, prefix string) (string, map[string]any) {
	t.Helper()
	for _, id := range ofType(all, "AWS::Lambda::Function") {
		if d, _ := all[id].Properties["Description"].(string); strings.HasPrefix(d, prefix) {
			return id, all[id].Properties
		}
	}
	t.Fatalf("no function described %q", prefix)
	return "", nil
}

// grantsOf returns, per action, the JSON of the resources every policy
// attached to the role allows it on.
func grantsOf(all map[string]resource, roleID string) map[string][]string {
	out := map[string][]string{}
	for id, r := range all {
		if r.Type != "AWS::IAM::Policy" {
			continue
		}
		attached := false
		for _, role := range asList(r.Properties["Roles"]) {
			if getAttTarget(role) == roleID || fmt.Sprint(role) == fmt.Sprint(map[string]any{"Ref": roleID}) {
				attached = true
			}
		}
		if !attached {
			continue
		}
		for _, st := range statements(map[string]resource{id: r}) {
			b, _ := json.Marshal(st["Resource"])
			for _, a := range actions(st) {
				out[a] = append(out[a], string(b))
			}
		}
	}
	return out
}

func TestComputeScheduledFunctions(t *testing.T) {
	tpl := template(t, StackCompute)
	all := resources(t, StackCompute)
	// Both monitors keep the pool's records: they read and write the
	// tables, but never move accounts, write reports or send email.
	monitorEnv := []string{names.EnvLeaseTable, names.EnvAccountTable, names.EnvOutboxTable, names.EnvEventBus,
		names.EnvAccountPoolParam}
	monitorMustNot := []string{"organizations:MoveAccount", "s3:PutObject", "ses:SendEmail"}
	for _, tc := range []struct {
		name, description, schedule, scheduleName string
		windowMinutes, timeout                    int
		env                                       []string
		// mayWrite are the tables the function may write; reads are
		// allowed on the tables in env.
		mayWrite, mustNot []string
		params            []string
		// hops are the hub hop roles the function may assume.
		hops []string
	}{
		{
			name:        "the lease monitor runs hourly, reads leases through the index and writes only leases and the outbox",
			description: "Lease monitor", schedule: monitoring.LeaseMonitorRate,
			scheduleName:  names.LeaseMonitoringSchedule,
			windowMinutes: monitoring.LeaseMonitorWindowMinutes, timeout: monitoring.LeaseMonitorTimeout,
			env:      slices.Concat(monitorEnv, []string{names.EnvHubAccountID}),
			mayWrite: []string{"dynamodb:UpdateItem", "dynamodb:PutItem"}, mustNot: monitorMustNot,
			params: []string{names.AccountPoolConfigParam}, hops: []string{grantedHop(names.OrgMgtRole)},
		},
		{
			name:        "the drift monitor runs every six hours and reads both shared parameters",
			description: "Drift monitor", schedule: monitoring.DriftMonitorRate,
			scheduleName:  names.DriftMonitoringSchedule,
			windowMinutes: monitoring.DriftMonitorWindowMinutes, timeout: monitoring.DriftMonitorTimeout,
			env:      slices.Concat(monitorEnv, []string{names.EnvIdcConfigParam}),
			mayWrite: []string{"dynamodb:PutItem", "dynamodb:DeleteItem"}, mustNot: monitorMustNot,
			params: []string{names.AccountPoolConfigParam, names.IdcConfigParam},
			hops:   []string{grantedHop(names.OrgMgtRole), grantedHop(names.IdcRole)},
		},
		{
			name: "the reaper runs every minute on time, queries the heartbeat index and writes only leases " +
				"and the outbox, never scanning",
			description: "Reaper", schedule: monitoring.ReaperRate, scheduleName: names.ReaperSchedule,
			timeout:  monitoring.ReaperTimeout,
			env:      []string{names.EnvLeaseTable, names.EnvAccountTable, names.EnvOutboxTable, names.EnvEventBus},
			mayWrite: []string{"dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:Query"},
			mustNot: []string{"dynamodb:Scan", "organizations:MoveAccount", "s3:PutObject", "ses:SendEmail",
				"ssm:GetParameter"},
		},
		{
			name:        "the cost report runs monthly, reads leases and writes only report objects",
			description: "Group cost report", schedule: monitoring.CostReportCron,
			scheduleName:  names.CostReportSchedule,
			windowMinutes: monitoring.CostReportWindowMinutes, timeout: monitoring.CostReportTimeout,
			env:     []string{names.EnvLeaseTable, names.EnvReportBucket, names.EnvEventBus, names.EnvAccountPoolParam},
			mustNot: []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "ses:SendEmail"},
			params:  []string{names.AccountPoolConfigParam}, hops: []string{grantedHop(names.OrgMgtRole)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fnID, fn := functionByDescription(t, all, tc.description)
			if fn["MemorySize"] != float64(monitoring.MemoryMB) || fn["Timeout"] != float64(tc.timeout) ||
				fn["ReservedConcurrentExecutions"] != float64(1) {
				t.Errorf(
					"memory %v, timeout %v, reserved concurrency %v",
					fn["MemorySize"],
					fn["Timeout"],
					fn["ReservedConcurrentExecutions"],
				)
			}
			vars, _ := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
			for _, k := range tc.env {
				if vars[k] == nil {
					t.Errorf("environment lacks %s", k)
				}
			}
			window := props{"Mode": "FLEXIBLE", "MaximumWindowInMinutes": tc.windowMinutes}
			if tc.windowMinutes == 0 {
				window = props{"Mode": "OFF"}
			}
			tpl.HasResourceProperties(jsii.String("AWS::Scheduler::Schedule"), props{
				"Name":               names.Physical(testCfg.Namespace, tc.scheduleName),
				"ScheduleExpression": tc.schedule,
				"FlexibleTimeWindow": window,
				"KmsKeyArn":          assertions.Match_AnyValue(),
				"Target": objectLike(props{
					"Arn":              props{"Fn::GetAtt": []any{fnID, "Arn"}},
					"RetryPolicy":      objectLike(props{"MaximumRetryAttempts": monitoring.RetryAttempts}),
					"DeadLetterConfig": objectLike(props{"Arn": assertions.Match_AnyValue()}),
				}),
			})
			grants := grantsOf(all, getAttTarget(fn["Role"]))
			if a := grants["sts:AssumeRole"]; !sameSet(a, tc.hops) {
				t.Errorf("sts:AssumeRole on %v, want exactly %v", a, tc.hops)
			}
			got := strings.Join(grants["ssm:GetParameter"], " ")
			for _, p := range tc.params {
				if !strings.Contains(got, names.Physical(testCfg.Namespace, p)) {
					t.Errorf("ssm:GetParameter on %s lacks %s", got, p)
				}
			}
			if strings.Contains(got, "*") {
				t.Errorf("ssm:GetParameter on a wildcard: %s", got)
			}
			for _, a := range tc.mayWrite {
				if len(grants[a]) == 0 {
					t.Errorf("cannot %s", a)
				}
			}
			for _, a := range tc.mustNot {
				if len(grants[a]) > 0 {
					t.Errorf("may %s on %v", a, grants[a])
				}
			}
			for a := range grants {
				if a == "*" || strings.HasSuffix(a, ":*") {
					t.Errorf("wildcard action %s", a)
				}
			}
		})
	}
	t.Run("each scheduler role may invoke only its own function and write only its own DLQ", func(t *testing.T) {
		for _, id := range ofType(all, "AWS::Scheduler::Schedule") {
			switch all[id].Properties["Name"] {
			case names.Physical(testCfg.Namespace, names.LeaseMonitoringSchedule),
				names.Physical(testCfg.Namespace, names.DriftMonitoringSchedule),
				names.Physical(testCfg.Namespace, names.CostReportSchedule),
				names.Physical(testCfg.Namespace, names.ReaperSchedule):
			default:
				continue
			}
			target := all[id].Properties["Target"].(map[string]any)
			grants := grantsOf(all, getAttTarget(target["RoleArn"]))
			dlq, _ := json.Marshal(target["DeadLetterConfig"].(map[string]any)["Arn"])
			if s := grants["sqs:SendMessage"]; len(s) != 1 || s[0] != string(dlq) {
				t.Errorf("schedule %s: sqs:SendMessage on %v, want its DLQ %s", id, s, dlq)
			}
			for a := range grants {
				if !slices.Contains([]string{"lambda:InvokeFunction", "sqs:SendMessage", "kms:Decrypt"}, a) {
					t.Errorf("schedule %s: role may %s", id, a)
				}
			}
			fnArn, _ := json.Marshal(target["Arn"])
			if !strings.Contains(grants["lambda:InvokeFunction"][0], string(fnArn)) {
				t.Errorf("schedule %s invokes %s but may invoke %v", id, fnArn, grants["lambda:InvokeFunction"])
			}
		}
	})
	t.Run("every scheduled function and schedule DLQ is alarmed", func(t *testing.T) {
		var alarmed []string
		for _, id := range ofType(all, "AWS::CloudWatch::Alarm") {
			alarmed = append(alarmed, all[id].Properties["AlarmName"].(string))
		}
		for _, want := range []string{"LeaseMonitorErrors", "DriftMonitorErrors", "CostReportErrors",
			"LeaseMonitorScheduleDLQNotEmpty", "DriftMonitorScheduleDLQNotEmpty", "CostReportScheduleDLQNotEmpty",
			"EmailDLQNotEmpty", "ReaperErrors", "ReaperScheduleDLQNotEmpty"} {
			if !slices.Contains(alarmed, names.Physical(testCfg.Namespace, want)) {
				t.Errorf("no alarm %s", want)
			}
		}
	})
	t.Run("the report bucket is private, versioned, KMS-encrypted and access-logged", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), props{
			"VersioningConfiguration": props{"Status": "Enabled"},
			"BucketEncryption": props{"ServerSideEncryptionConfiguration": []any{objectLike(props{
				"ServerSideEncryptionByDefault": objectLike(props{"SSEAlgorithm": "aws:kms"}), "BucketKeyEnabled": true,
			})}},
			"LoggingConfiguration": objectLike(props{"DestinationBucketName": assertions.Match_AnyValue()}),
			"PublicAccessBlockConfiguration": props{"BlockPublicAcls": true, "BlockPublicPolicy": true,
				"IgnorePublicAcls": true, "RestrictPublicBuckets": true},
		})
	})
}

func TestComputeEmailNotifier(t *testing.T) {
	tpl := template(t, StackCompute)
	all := resources(t, StackCompute)
	_, fn := functionByDescription(t, all, "Email notifier")
	queueName := names.Physical(testCfg.Namespace, names.EmailQueue)
	t.Run("the bus rule routes exactly the email events to its queue", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), props{
			"EventPattern": isbevents.Pattern(names.EmailDetailTypes),
			"Targets": []any{objectLike(props{
				"Arn": props{
					"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("EmailNotifierQueue.*")), "Arn"},
				},
				"RetryPolicy": props{"MaximumRetryAttempts": 20, "MaximumEventAgeInSeconds": 86400},
			})},
		})
		tpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), props{
			"QueueName": queueName, "VisibilityTimeout": 6 * names.EmailConsumer.TimeoutSeconds,
			"RedrivePolicy": props{
				"deadLetterTargetArn": assertions.Match_AnyValue(),
				"maxReceiveCount":     names.EmailConsumer.MaxReceiveCount,
			},
		})
	})
	t.Run("the function consumes in batches and reports failed messages one by one", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), props{
			"BatchSize": names.EmailConsumer.BatchSize, "FunctionResponseTypes": []any{"ReportBatchItemFailures"},
			"ScalingConfig": props{"MaximumConcurrency": names.EmailConsumer.MaxConcurrency},
			"EventSourceArn": props{
				"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("EmailNotifierQueue.*")), "Arn"},
			},
		})
	})
	t.Run("it may send from this account's SES identities, remember deliveries, and nothing else", func(t *testing.T) {
		vars := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
		for _, k := range []string{names.EnvDeliveryTable, names.EnvIdcConfigParam, names.EnvHubAccountID,
			names.EnvNamespace} {
			if vars[k] == nil {
				t.Errorf("environment lacks %s", k)
			}
		}
		grants := grantsOf(all, getAttTarget(fn["Role"]))
		want := fmt.Sprintf("%q", fmt.Sprintf("arn:aws:ses:%s:%s:identity/*", testCfg.Region, testCfg.HubAccountID))
		if s := grants["ses:SendEmail"]; len(s) != 1 || s[0] != want {
			t.Errorf("ses:SendEmail on %v, want %s", s, want)
		}
		for _, a := range []string{"events:PutEvents", "organizations:MoveAccount", "s3:PutObject"} {
			if len(grants[a]) > 0 {
				t.Errorf("may %s", a)
			}
		}
		if len(grants["dynamodb:PutItem"]) != 1 {
			t.Errorf("dynamodb:PutItem on %v, want the delivery table only", grants["dynamodb:PutItem"])
		}
	})
}

func TestComputeWafAllowsOnlyTheConfiguredRanges(t *testing.T) {
	tpl := template(t, StackCompute)
	for version, ranges := range map[string][]any{"IPV4": {"203.0.113.0/24"}, "IPV6": {"2001:db8::/32"}} {
		tpl.HasResourceProperties(jsii.String("AWS::WAFv2::IPSet"),
			props{"IPAddressVersion": version, "Addresses": ranges})
	}
}
