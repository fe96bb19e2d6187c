package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/isb-go/isb/test/emulator"
)

// defaultAccount is the account moto serves requests with plain credentials.
const defaultAccount = "123456789012"

const passMachine = `{"StartAt":"Done","States":{"Done":{"Type":"Pass","Result":{"ok":true},"End":true}}}`

func TestHealthEndpointReportsTheMotoVersion(t *testing.T) {
	resp, err := http.Get(emulator.URL() + "/_local/health")
	if err != nil {
		t.Fatalf("GET /_local/health: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body struct{ Status, Moto string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode health: %v", err)
	}
	if resp.StatusCode != http.StatusOK || body.Status != "ok" || !strings.HasPrefix(body.Moto, "5.2.") {
		t.Errorf("health = %d %+v, want 200 ok with moto 5.2.x", resp.StatusCode, body)
	}
}

func TestConfigEmptiesTheEmulatorBetweenTests(t *testing.T) {
	ctx := t.Context()
	db := dynamodb.NewFromConfig(emulator.Config(t))
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String("leases"),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
		},
	})
	if err != nil {
		t.Fatalf("create table: %v", err)
	}

	db = dynamodb.NewFromConfig(emulator.Config(t)) // what the next test sees
	_, err = db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("leases")})
	var notFound *ddbtypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("describe table after reset: err = %v, want ResourceNotFoundException", err)
	}
}

func TestStepFunctionsRunsEveryExecutionOfAStateMachine(t *testing.T) {
	ctx := t.Context()
	client := sfn.NewFromConfig(emulator.Config(t))
	machine := createStateMachine(t, client, "pass", passMachine)

	for _, name := range []string{"first", "second", "third"} {
		t.Run(name+" execution succeeds", func(t *testing.T) {
			out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
				StateMachineArn: aws.String(machine),
				Name:            aws.String(name),
				Input:           aws.String(`{}`),
			})
			if err != nil {
				t.Fatalf("start execution: %v", err)
			}
			got := waitForExecution(t, client, aws.ToString(out.ExecutionArn))
			if got.Status != sfntypes.ExecutionStatusSucceeded || !jsonEqual(aws.ToString(got.Output), `{"ok":true}`) {
				t.Errorf(
					"execution = %s with output %s, want SUCCEEDED with {\"ok\":true}",
					got.Status,
					aws.ToString(got.Output),
				)
			}
		})
	}
}

func TestEventBridgeDeliversToEnabledRulesOnly(t *testing.T) {
	ctx := t.Context()
	cfg := emulator.Config(t)
	events := eventbridge.NewFromConfig(cfg)
	queues := sqs.NewFromConfig(cfg)
	machines := sfn.NewFromConfig(cfg)

	const bus = "isb-events"
	if _, err := events.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
		t.Fatalf("create bus: %v", err)
	}
	machine := createStateMachine(t, machines, "on-event", passMachine)

	tests := []struct {
		name     string
		state    ebtypes.RuleState
		target   ebtypes.Target // Arn and Id are filled in
		wantBody func(t *testing.T, body string)
	}{
		{
			name:  "an enabled rule delivers the envelope with the account field",
			state: ebtypes.RuleStateEnabled,
			wantBody: func(t *testing.T, body string) {
				var env map[string]any
				if err := json.Unmarshal([]byte(body), &env); err != nil {
					t.Fatalf("envelope is not JSON: %v: %s", err, body)
				}
				for k, want := range map[string]any{"account": defaultAccount, "source": "isb.leases",
					"detail-type": "LeaseApproved", "region": emulator.Region} {
					if env[k] != want {
						t.Errorf("envelope[%q] = %v, want %v (envelope %s)", k, env[k], want, body)
					}
				}
				if _, err := time.Parse(time.RFC3339, fmt.Sprint(env["time"])); err != nil {
					t.Errorf("envelope time %v is not RFC 3339: %v", env["time"], err)
				}
				if d, _ := env["detail"].(map[string]any); d["leaseId"] != "L1" {
					t.Errorf("envelope detail = %v, want leaseId L1", env["detail"])
				}
			},
		},
		{
			name:   "a target with Input delivers that constant",
			state:  ebtypes.RuleStateEnabled,
			target: ebtypes.Target{Input: aws.String(`{"constant":1}`)},
			wantBody: func(t *testing.T, body string) {
				if body != `{"constant":1}` {
					t.Errorf("body = %s, want {\"constant\":1}", body)
				}
			},
		},
		{
			name:   "a target with InputPath delivers that part of the envelope",
			state:  ebtypes.RuleStateEnabled,
			target: ebtypes.Target{InputPath: aws.String("$.detail")},
			wantBody: func(t *testing.T, body string) {
				var d map[string]any
				if err := json.Unmarshal([]byte(body), &d); err != nil || d["leaseId"] != "L1" {
					t.Errorf("body = %s, want the detail object", body)
				}
			},
		},
		{
			name:  "a disabled rule delivers nothing",
			state: ebtypes.RuleStateDisabled,
		},
	}

	queueURLs := make([]string, len(tests))
	for i, tt := range tests {
		url, arn := createQueue(t, queues, fmt.Sprintf("target-%d", i))
		queueURLs[i] = url
		target := tt.target
		target.Id, target.Arn = aws.String("queue"), aws.String(arn)
		putRule(t, events, bus, fmt.Sprintf("rule-%d", i), tt.state, target)
	}
	putRule(
		t,
		events,
		bus,
		"to-state-machine",
		ebtypes.RuleStateEnabled,
		ebtypes.Target{
			Id:      aws.String("sfn"),
			Arn:     aws.String(machine),
			RoleArn: aws.String("arn:aws:iam::123456789012:role/events"),
		},
	)

	out, err := events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		EventBusName: aws.String(bus),
		Source:       aws.String("isb.leases"),
		DetailType:   aws.String("LeaseApproved"),
		Detail:       aws.String(`{"leaseId":"L1"}`),
	}}})
	if err != nil {
		t.Fatalf("put events: %v", err)
	}
	if out.FailedEntryCount != 0 {
		t.Fatalf("put events: %d failed entries: %+v", out.FailedEntryCount, out.Entries)
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := queues.ReceiveMessage(
				ctx,
				&sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURLs[i]), MaxNumberOfMessages: 10},
			)
			if err != nil {
				t.Fatalf("receive: %v", err)
			}
			if tt.wantBody == nil {
				if len(msgs.Messages) != 0 {
					t.Errorf(
						"got %d messages, want none: first %s",
						len(msgs.Messages),
						aws.ToString(msgs.Messages[0].Body),
					)
				}
				return
			}
			if len(msgs.Messages) != 1 {
				t.Fatalf("got %d messages, want 1", len(msgs.Messages))
			}
			tt.wantBody(t, aws.ToString(msgs.Messages[0].Body))
		})
	}

	t.Run("a Step Functions target starts an execution with the envelope as input", func(t *testing.T) {
		list, err := machines.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
		if err != nil {
			t.Fatalf("list executions: %v", err)
		}
		if len(list.Executions) != 1 {
			t.Fatalf("got %d executions, want 1", len(list.Executions))
		}
		got := waitForExecution(t, machines, aws.ToString(list.Executions[0].ExecutionArn))
		var input map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(got.Input)), &input); err != nil {
			t.Fatalf("execution input is not JSON: %v", err)
		}
		if input["account"] != defaultAccount || input["detail-type"] != "LeaseApproved" {
			t.Errorf("execution input = %s, want the event envelope", aws.ToString(got.Input))
		}
		if got.Status != sfntypes.ExecutionStatusSucceeded {
			t.Errorf("execution status = %s, want SUCCEEDED", got.Status)
		}
	})
}

func TestSentEmailsListsWhatSESv2Sent(t *testing.T) {
	ctx := t.Context()
	ses := sesv2.NewFromConfig(emulator.Config(t))
	if _, err := ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(
		"pool@example.com")}); err != nil {
		t.Fatalf("create identity: %v", err)
	}
	_, err := ses.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("pool@example.com"),
		Destination:      &sestypes.Destination{ToAddresses: []string{"user@example.com"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("Your lease is approved")},
			Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("Account 111122223333 is yours.")}},
		}},
	})
	if err != nil {
		t.Fatalf("send email: %v", err)
	}

	sent, err := emulator.SentEmails(ctx, defaultAccount, emulator.Region)
	if err != nil {
		t.Fatalf("sent emails: %v", err)
	}
	if len(sent) != 1 {
		t.Fatalf("got %d sent emails, want 1: %+v", len(sent), sent)
	}
	got := sent[0]
	if got.Source != "pool@example.com" || got.Subject != "Your lease is approved" ||
		got.Body != "Account 111122223333 is yours." || strings.Join(got.Destinations["ToAddresses"],
		",") != "user@example.com" {
		t.Errorf("sent email = %+v", got)
	}

	others, err := emulator.SentEmails(ctx, "111122223333", emulator.Region)
	if err != nil {
		t.Fatalf("sent emails of another account: %v", err)
	}
	if len(others) != 0 {
		t.Errorf("another account sent %d emails, want none", len(others))
	}
}

func TestStepFunctionsCallsSSOAdminThroughTheAWSSDKIntegration(t *testing.T) {
	client := sfn.NewFromConfig(emulator.Config(t))
	machine := createStateMachine(t, client, "sso", `{
		"StartAt": "ListInstances",
		"States": {"ListInstances": {
			"Type": "Task",
			"Resource": "arn:aws:states:::aws-sdk:ssoadmin:listInstances",
			"ResultSelector": {"count.$": "States.ArrayLength($.Instances)"},
			"End": true
		}}
	}`)
	out, err := client.StartExecution(
		t.Context(),
		&sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String("sso")},
	)
	if err != nil {
		t.Fatalf("start execution: %v", err)
	}
	got := waitForExecution(t, client, aws.ToString(out.ExecutionArn))
	if got.Status != sfntypes.ExecutionStatusSucceeded || !jsonEqual(aws.ToString(got.Output), `{"count":1}`) {
		t.Errorf("execution = %s with output %s (%s: %s), want SUCCEEDED with one instance",
			got.Status, aws.ToString(got.Output), aws.ToString(got.Error), aws.ToString(got.Cause))
	}
}

func TestPostJSONReachesControlEndpoints(t *testing.T) {
	emulator.Config(t)
	err := emulator.PostJSON(t.Context(), "/moto-api/static/ce/cost-and-usage-results", map[string]any{
		"results": []any{map[string]any{"ResultsByTime": []any{}}},
	})
	if err != nil {
		t.Errorf("post static CE results: %v", err)
	}
	if err := emulator.PostJSON(t.Context(), "/moto-api/no-such-endpoint", map[string]any{}); err == nil {
		t.Error("post to an unknown endpoint: want an error")
	}
}

func TestStartExplainsAMissingPythonOrMoto(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 must be on PATH for the emulator tests: %v", err)
	}
	// An interpreter that cannot see site-packages behaves like one without moto.
	noMoto := filepath.Join(t.TempDir(), "python-without-moto")
	script := fmt.Sprintf("#!/bin/sh\nexec %q -I -S \"$@\"\n", python)
	if err := os.WriteFile(noMoto, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		python string
		want   []string
	}{
		{
			name:   "an interpreter that does not exist is named with the fix",
			python: "no-such-python-isb",
			want:   []string{`"no-such-python-isb"`, emulator.EnvPython, "moto 5.2.1"},
		},
		{
			name:   "an interpreter without moto is reported with the fix",
			python: noMoto,
			want:   []string{"cannot import moto", "moto 5.2.1", "PyPI", emulator.EnvPython},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(emulator.EnvURL, "")
			t.Setenv(emulator.EnvPython, tt.python)
			srv, err := emulator.Start(t.Context())
			if err == nil {
				srv.Stop()
				t.Fatal("Start succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func createStateMachine(t *testing.T, client *sfn.Client, name, definition string) string {
	t.Helper()
	out, err := client.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
		Name:       aws.String(name),
		Definition: aws.String(definition),
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/states"),
	})
	if err != nil {
		t.Fatalf("create state machine %s: %v", name, err)
	}
	return aws.ToString(out.StateMachineArn)
}

// waitForExecution polls until the execution leaves RUNNING.
func waitForExecution(t *testing.T, client *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	for {
		out, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("describe execution %s: %v", arn, err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning {
			return out
		}
		select {
		case <-ctx.Done():
			t.Fatalf("execution %s still RUNNING: %v", arn, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func createQueue(t *testing.T, client *sqs.Client, name string) (url, arn string) {
	t.Helper()
	out, err := client.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	attrs, err := client.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl:       out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("queue %s attributes: %v", name, err)
	}
	return aws.ToString(out.QueueUrl), attrs.Attributes["QueueArn"]
}

func putRule(
	t *testing.T,
	client *eventbridge.Client,
	bus, name string,
	state ebtypes.RuleState,
	target ebtypes.Target,
) {
	t.Helper()
	_, err := client.PutRule(t.Context(), &eventbridge.PutRuleInput{
		Name:         aws.String(name),
		EventBusName: aws.String(bus),
		EventPattern: aws.String(`{"source":[{"prefix":"isb."}],"detail-type":["LeaseApproved"]}`),
		State:        state,
	})
	if err != nil {
		t.Fatalf("put rule %s: %v", name, err)
	}
	_, err = client.PutTargets(t.Context(), &eventbridge.PutTargetsInput{
		Rule:         aws.String(name),
		EventBusName: aws.String(bus),
		Targets:      []ebtypes.Target{target},
	})
	if err != nil {
		t.Fatalf("put target on rule %s: %v", name, err)
	}
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func TestAWSManagedPoliciesAreLoaded(t *testing.T) {
	emulator.Config(t)
	// A bare Query-protocol call: moto routes on the credential scope and does
	// not check signatures.
	form := url.Values{
		"Action":    {"GetPolicy"},
		"Version":   {"2010-05-08"},
		"PolicyArn": {"arn:aws:iam::aws:policy/AdministratorAccess"},
	}
	req, err := http.NewRequestWithContext(
		t.Context(),
		http.MethodPost,
		emulator.URL()+"/",
		strings.NewReader(form.Encode()),
	)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(
		"Authorization",
		"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
	)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GetPolicy: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK ||
		!strings.Contains(string(body), "<PolicyName>AdministratorAccess</PolicyName>") {
		t.Errorf("GetPolicy AdministratorAccess = HTTP %d: %s", resp.StatusCode, body)
	}
}
