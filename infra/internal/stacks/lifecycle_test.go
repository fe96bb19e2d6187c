package stacks

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	isbevents "github.com/isb-go/isb/infra/internal/events"
	"github.com/isb-go/isb/infra/internal/lifecycle"
)

func TestComputeLifecycleManager(t *testing.T) {
	tpl := template(t, StackCompute)
	all := resources(t, StackCompute)
	queueName := names.Physical(testCfg.Namespace, names.LifecycleQueue)
	fnID := ""
	for _, id := range ofType(all, "AWS::Lambda::Function") {
		if d, _ := all[id].Properties["Description"].(string); strings.HasPrefix(d, "Account lifecycle manager") {
			fnID = id
		}
	}
	if fnID == "" {
		t.Fatal("no lifecycle function")
	}
	fn := all[fnID].Properties
	roleID := getAttTarget(fn["Role"])

	t.Run(
		"the queue redrives to an alarmed DLQ after five receives and waits six function timeouts",
		func(t *testing.T) {
			tpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), props{
				"QueueName": queueName, "VisibilityTimeout": 6 * names.LifecycleConsumer.TimeoutSeconds,
				"KmsMasterKeyId": assertions.Match_AnyValue(),
				"RedrivePolicy": props{
					"deadLetterTargetArn": assertions.Match_AnyValue(),
					"maxReceiveCount":     names.LifecycleConsumer.MaxReceiveCount,
				},
			})
			tpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), props{"QueueName": queueName + "DLQ"})
			found := false
			for _, id := range ofType(all, "AWS::CloudWatch::Alarm") {
				b, _ := json.Marshal(all[id].Properties)
				if strings.Contains(string(b), "LifecycleDeadLetter") &&
					all[id].Properties["MetricName"] == "ApproximateNumberOfMessagesVisible" {
					found = true
				}
			}
			if !found {
				t.Error("no alarm on the lifecycle DLQ")
			}
		},
	)
	t.Run(
		"the bus rule routes exactly the lifecycle events to the queue, with retries and the bus DLQ",
		func(t *testing.T) {
			tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), props{
				"EventPattern": isbevents.Pattern(names.LifecycleDetailTypes),
				"Targets": []any{objectLike(props{
					"Arn": props{
						"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("LifecycleQueue.*")), "Arn"},
					},
					"DeadLetterConfig": objectLike(props{}),
					"RetryPolicy":      props{"MaximumRetryAttempts": 20, "MaximumEventAgeInSeconds": 86400},
				})},
			})
		},
	)
	t.Run("the function is arm64, 256 MB, 60 s, with its environment", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), props{
			"Architectures": []any{"arm64"}, "MemorySize": lifecycle.MemoryMB, "Timeout": names.LifecycleConsumer.TimeoutSeconds,
			"Description": fn["Description"],
			"Environment": props{"Variables": objectLike(props{
				names.EnvHubAccountID: testCfg.HubAccountID,
				names.EnvAccountPoolParam: fmt.Sprintf(
					"arn:aws:ssm:%s:%s:parameter/%s",
					testCfg.Region,
					testCfg.OrgMgtAccountID,
					names.Physical(testCfg.Namespace, names.AccountPoolConfigParam),
				),
				names.EnvIdcConfigParam: fmt.Sprintf(
					"arn:aws:ssm:%s:%s:parameter/%s",
					testCfg.Region,
					testCfg.IdcAccountID,
					names.Physical(testCfg.Namespace, names.IdcConfigParam),
				),
				names.EnvLeaseTable: assertions.Match_AnyValue(), names.EnvAccountTable: assertions.Match_AnyValue(),
				names.EnvOutboxTable: assertions.Match_AnyValue(), names.EnvEventBus: assertions.Match_AnyValue(),
			})},
		})
	})
	t.Run("the queue drives it in batches with partial-batch failures and bounded concurrency", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), props{
			"FunctionName":          props{"Ref": fnID},
			"BatchSize":             names.LifecycleConsumer.BatchSize,
			"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
			"ScalingConfig":         props{"MaximumConcurrency": names.LifecycleConsumer.MaxConcurrency},
		})
	})
	t.Run(
		"its role may assume only the OrgMgt, IDC and sandbox hops and read only the two shared parameters",
		func(t *testing.T) {
			grants := grantsOf(all, roleID)
			assume, params, put := grants["sts:AssumeRole"], grants["ssm:GetParameter"], grants["events:PutEvents"]
			for a := range grants {
				if a == "*" || strings.HasSuffix(a, ":*") {
					t.Errorf("wildcard action %s", a)
				}
			}
			// The sandbox hop revokes lessee sessions when a lease ends.
			want := []string{
				grantedHop(names.OrgMgtRole), grantedHop(names.IdcRole), grantedHop(names.SandboxAccountRole),
			}
			if !sameSet(assume, want) {
				t.Errorf("sts:AssumeRole on %v, want exactly %v", assume, want)
			}
			if len(params) != 1 ||
				!strings.Contains(params[0], names.Physical(testCfg.Namespace, names.AccountPoolConfigParam)) ||
				!strings.Contains(params[0], names.Physical(testCfg.Namespace, names.IdcConfigParam)) ||
				strings.Contains(params[0], "*") {
				t.Errorf("ssm:GetParameter on %v, want the two shared parameters", params)
			}
			// One statement per source it emits, each on the bus alone.
			if len(put) == 0 {
				t.Errorf("no events:PutEvents, want the bus")
			}
			for _, p := range put {
				if p != put[0] || strings.Contains(p, "*") || !strings.Contains(p, "EventsBus") {
					t.Errorf("events:PutEvents on %v, want the bus only", put)
				}
			}
		},
	)
}
