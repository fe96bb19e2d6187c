package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/aws/smithy-go"

	"github.com/isb-go/isb/test/emulator"
)

// defaultAccount is the account moto serves requests with plain credentials.
const defaultAccount = "123456789012"

const passMachine = `{"StartAt":"Done","States":{"Done":{"Type":"Pass","Result":{"ok":true},"End":true}}}`

// createTable creates the pay-per-request table name keyed by the string
// attributes keys: the partition key, then the sort key if there is one.
func createTable(t *testing.T, db *dynamodb.Client, name string, keys ...string) {
	t.Helper()
	in := &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest}
	for i, k := range keys {
		kind := ddbtypes.KeyTypeHash
		if i > 0 {
			kind = ddbtypes.KeyTypeRange
		}
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			ddbtypes.AttributeDefinition{AttributeName: aws.String(k), AttributeType: ddbtypes.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema, ddbtypes.KeySchemaElement{AttributeName: aws.String(k), KeyType: kind})
	}
	if _, err := db.CreateTable(t.Context(), in); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
}

func TestConfigEmptiesTheEmulatorBetweenTests(t *testing.T) {
	ctx := t.Context()
	db := dynamodb.NewFromConfig(emulator.Config(t))
	createTable(t, db, "leases", "pk")

	db = dynamodb.NewFromConfig(emulator.Config(t)) // what the next test sees
	_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("leases")})
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

// DynamoDB refuses a partition key over 2,048 bytes or a sort key over
// 1,024 bytes with a ValidationException on reads as on writes; moto 5.2.1
// checks writes only, and the launcher adds the check to reads.
func TestDynamoDBRefusesOversizedKeysOnReads(t *testing.T) {
	ctx := t.Context()
	db := dynamodb.NewFromConfig(emulator.Config(t))
	createTable(t, db, "leases", "pk", "sk")
	s := func(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
	key := func(pk, sk string) map[string]ddbtypes.AttributeValue {
		return map[string]ddbtypes.AttributeValue{"pk": s(pk), "sk": s(sk)}
	}
	bigPK, bigSK := strings.Repeat("p", 2049), strings.Repeat("s", 1025)
	table := aws.String("leases")
	getItem := func(pk, sk string) func() error {
		return func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key(pk, sk)})
			return err
		}
	}
	query := func(cond string, values map[string]ddbtypes.AttributeValue) func() error {
		return func() error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String(cond),
				ExpressionAttributeValues: values})
			return err
		}
	}
	cases := []struct {
		name    string
		call    func() error
		refused bool
	}{
		{"GetItem with a partition key of 2,048 bytes is served", getItem(bigPK[:2048], "a"), false},
		{"GetItem with a sort key of 1,024 bytes is served", getItem("a", bigSK[:1024]), false},
		{"GetItem with a partition key over 2,048 bytes is refused", getItem(bigPK, "a"), true},
		{"GetItem with a sort key over 1,024 bytes is refused", getItem("a", bigSK), true},
		{"DeleteItem with a partition key over 2,048 bytes is refused", func() error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key(bigPK, "a")})
			return err
		}, true},
		{"Query on a partition key over 2,048 bytes is refused",
			query("pk = :p", map[string]ddbtypes.AttributeValue{":p": s(bigPK)}), true},
		{"Query on a sort key over 1,024 bytes is refused",
			query("pk = :p AND sk = :s", map[string]ddbtypes.AttributeValue{":p": s("a"), ":s": s(bigSK)}), true},
		{"BatchGetItem with a partition key over 2,048 bytes is refused", func() error {
			_, err := db.BatchGetItem(
				ctx,
				&dynamodb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{
					"leases": {Keys: []map[string]ddbtypes.AttributeValue{key(bigPK, "a")}}}},
			)
			return err
		}, true},
		{"TransactGetItems with a partition key over 2,048 bytes is refused", func() error {
			_, err := db.TransactGetItems(
				ctx,
				&dynamodb.TransactGetItemsInput{TransactItems: []ddbtypes.TransactGetItem{
					{Get: &ddbtypes.Get{TableName: table, Key: key(bigPK, "a")}}}},
			)
			return err
		}, true},
		{"UpdateItem with a partition key over 2,048 bytes is refused", func() error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key(bigPK, "a"),
				UpdateExpression: aws.String(
					"SET v = :v",
				), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": s("x")}})
			return err
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !tc.refused {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" ||
				!strings.HasPrefix(apiErr.ErrorMessage(), "One or more parameter values were invalid") {
				t.Fatalf("err = %v, want DynamoDB's ValidationException", err)
			}
		})
	}
}
