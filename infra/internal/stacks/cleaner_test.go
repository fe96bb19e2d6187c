package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/cleaner"
	isbevents "github.com/isb-go/isb/infra/internal/events"
)

// writeCleanerAssets fakes the cleaner's function zips and its CodeBuild
// bundle (make build-lambdas and make cleaner-bundle build the real ones).
func writeCleanerAssets(dir string) error {
	bundle := filepath.Join(dir, cleaner.BuildAssetName)
	if err := os.MkdirAll(bundle, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"aws-nuke", "isb-cleaner"} {
		if err := os.WriteFile(filepath.Join(bundle, f), []byte("#!/bin/sh\n"), 0o755); err != nil {
			return err
		}
	}
	return nil
}

func TestComputeCleanerStateMachine(t *testing.T) {
	tpl := template(t, StackCompute)
	tpl.HasResourceProperties(jsii.String("AWS::StepFunctions::StateMachine"), props{
		"StateMachineName":     names.Physical(testCfg.Namespace, names.CleanupStateMachine),
		"TracingConfiguration": props{"Enabled": true},
		"LoggingConfiguration": objectLike(props{"Level": "ALL", "IncludeExecutionData": true}),
		"DefinitionString":     assertions.Match_AnyValue(),
	})
	all := resources(t, StackCompute)
	machines := ofType(all, "AWS::StepFunctions::StateMachine")
	if len(machines) != 1 {
		t.Fatalf("state machines = %v, want one", machines)
	}
	def, _ := json.Marshal(all[machines[0]].Properties["DefinitionString"])
	for _, want := range []string{
		"arn:aws:states:::sqs:sendMessage.waitForTaskToken", "arn:aws:states:::events:putEvents",
		"arn:aws:states:::aws-sdk:dynamodb:updateItem", names.AccountCleanupFailed, names.AccountCleanupSucceeded,
		"arn:aws:states:::aws-sdk:dynamodb:transactWriteItems", names.Physical(testCfg.Namespace, names.OutboxTable),
		testCfg.HubAccountID, testCfg.OrgMgtAccountID, testCfg.IdcAccountID,
	} {
		if !strings.Contains(string(def), want) {
			t.Errorf("definition does not mention %s", want)
		}
	}
	for _, banned := range []string{"JSONata", "startBuild.sync", `\"Assign\"`} {
		if strings.Contains(string(def), banned) {
			t.Errorf("definition uses %s, which the emulator cannot run", banned)
		}
	}

	t.Run("it may write and clear the outbox records of its outcomes, nothing else there", func(t *testing.T) {
		outbox := names.Physical(testCfg.Namespace, names.OutboxTable)
		found := false
		for _, st := range statements(all) {
			if st["Sid"] != "OutboxTable" {
				continue
			}
			found = true
			b, _ := json.Marshal(st["Resource"])
			if got := actions(st); len(got) != 2 || !contains(got, "dynamodb:PutItem") ||
				!contains(got, "dynamodb:DeleteItem") ||
				!strings.Contains(string(b), outbox) {
				t.Errorf("outbox statement = %v on %s, want PutItem and DeleteItem on %s", got, b, outbox)
			}
		}
		if !found {
			t.Error("the state machine's role has no outbox statement")
		}
	})
	t.Run("CleanAccountRequest starts it, with retries and a dead-letter queue", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), props{
			"EventPattern": isbevents.Pattern([]string{names.CleanAccountRequest}),
			"Targets": []any{objectLike(props{
				"Arn":              objectLike(props{"Ref": assertions.Match_AnyValue()}),
				"DeadLetterConfig": objectLike(props{}),
				"RetryPolicy":      objectLike(props{"MaximumRetryAttempts": 20}),
			})},
		})
	})
}

func TestComputeCleanerBuild(t *testing.T) {
	tpl := template(t, StackCompute)
	tpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), props{
		"Name":             names.Physical(testCfg.Namespace, names.CleanupProject),
		"TimeoutInMinutes": cleaner.BuildTimeoutMinutes,
		"EncryptionKey":    assertions.Match_AnyValue(),
		"Environment": objectLike(props{
			"Image": "aws/codebuild/standard:7.0", "PrivilegedMode": false,
			"EnvironmentVariables": assertions.Match_ArrayWith(&[]any{
				objectLike(props{"Name": names.EnvAwsNukeSHA256, "Value": cleaner.NukeSHA256(testCfg.RepoRoot)}),
			}),
		}),
	})
	all := resources(t, StackCompute)
	projects := ofType(all, "AWS::CodeBuild::Project")
	if len(projects) != 1 {
		t.Fatalf("projects = %v", projects)
	}
	spec, _ := json.Marshal(all[projects[0]].Properties["Source"])
	if !strings.Contains(string(spec), "sha256sum -c") {
		t.Errorf("the buildspec does not check aws-nuke's sha256 first: %s", spec)
	}

	t.Run("the build may assume only the sandbox hop", func(t *testing.T) {
		role := getAttTarget(all[projects[0]].Properties["ServiceRole"])
		want := []string{grantedHop(names.SandboxAccountRole)}
		if got := grantsOf(all, role)["sts:AssumeRole"]; !sameSet(got, want) {
			t.Errorf("sts:AssumeRole on %v, want exactly %v", got, want)
		}
	})
	t.Run("the worker and the watchdog exist, the watchdog on status changes and a schedule", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), props{
			"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
		})
		tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), props{
			"EventPattern": objectLike(props{
				"source": []any{"aws.states"},
				"detail": objectLike(props{"status": []any{"FAILED", "TIMED_OUT", "ABORTED"}}),
			}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), props{"ScheduleExpression": "rate(30 minutes)"})
	})
}

// A build CodeBuild's concurrent-build quota refuses waits on the build
// queue: the worker puts the request back there itself, so it may send to
// that queue and to no other.
func TestComputeCleanupWorkerMayPutRefusedBuildsBackOnItsQueueOnly(t *testing.T) {
	all := resources(t, StackCompute)
	queueName := names.Physical(testCfg.Namespace, names.CleanupBuildQueue)
	var queueID string
	for _, id := range ofType(all, "AWS::SQS::Queue") {
		if all[id].Properties["QueueName"] == queueName {
			queueID = id
		}
	}
	if queueID == "" {
		t.Fatalf("no queue named %s", queueName)
	}
	id, fn := functionByDescription(t, all, "Starts the aws-nuke CodeBuild build")
	grants := grantsOf(all, getAttTarget(fn["Role"]))
	want := []string{fmt.Sprintf(`{"Fn::GetAtt":[%q,"Arn"]}`, queueID)}
	if got := grants["sqs:SendMessage"]; !sameSet(got, want) {
		t.Errorf("the worker may sqs:SendMessage on %v, want exactly the build queue %v", got, want)
	}
	for action := range grants {
		if strings.HasPrefix(action, "sqs:Send") && action != "sqs:SendMessage" || action == "sqs:*" {
			t.Errorf("the worker holds %s, want only sqs:SendMessage", action)
		}
	}
	env, _ := json.Marshal(fn["Environment"])
	if !strings.Contains(string(env), names.EnvCleanupBuildQueueURL) || !strings.Contains(string(env), queueID) {
		t.Errorf("function %s is not told its build queue (%s): %s", id, names.EnvCleanupBuildQueueURL, env)
	}
	// The state machine waits for a build slot as well as for the build,
	// and the watchdog leaves it that long.
	machines := ofType(all, "AWS::StepFunctions::StateMachine")
	if len(machines) != 1 {
		t.Fatalf("state machines = %v, want one", machines)
	}
	def, _ := json.Marshal(all[machines[0]].Properties["DefinitionString"])
	if want := fmt.Sprintf(`TimeoutSeconds\": %d`, cleaner.StateWaitSeconds); !strings.Contains(string(def), want) {
		t.Errorf("the build wait is not %d s (queueing and build): %s", cleaner.StateWaitSeconds, def)
	}
	if cleaner.StateWaitSeconds < (cleaner.QuotaQueueingMinutes+cleaner.BuildTimeoutMinutes)*60 ||
		cleaner.WatchdogMaxAgeMinutes*60 <= cleaner.StateWaitSeconds+1800 {
		t.Errorf("build wait %d s, watchdog %d min: the wait must cover queueing and the build, the watchdog more",
			cleaner.StateWaitSeconds, cleaner.WatchdogMaxAgeMinutes)
	}
	template(t, StackCompute).HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), props{
		"BatchSize":     names.CleanupWorkerConsumer.BatchSize,
		"ScalingConfig": props{"MaximumConcurrency": names.CleanupWorkerConsumer.MaxConcurrency},
	})
}
