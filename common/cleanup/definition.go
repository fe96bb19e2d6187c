package cleanup

import (
	"encoding/json"
	"fmt"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/names"
)

// DefinitionInput is what the state machine definition depends on. The
// CDK stack passes CloudFormation tokens, the tests real names.
type DefinitionInput struct {
	// AccountTable is the sandbox account table's name.
	AccountTable string
	// OutboxTable is the event outbox's name: a run's outcome and its
	// event are committed together there.
	OutboxTable string
	// EventBus is the platform bus's name.
	EventBus string
	// BuildQueueURL is the queue the build requests go to, with the task
	// token (the worker on AWS, the local runner here).
	BuildQueueURL string
	// ProtectedAccounts are never cleaned: hub, management, IDC.
	ProtectedAccounts []string
	// BuildTimeoutSeconds bounds the wait for the build's answer.
	BuildTimeoutSeconds int
	// MetricNamespace receives names.MetricCleanupFailures.
	MetricNamespace string
}

// Errors the state machine ends with (besides the AWS ones).
const (
	ErrProtectedAccount     = "ProtectedAccount"
	ErrAccountNotRegistered = "AccountNotRegistered"
	ErrAccountNotInCleanUp  = "AccountNotInCleanUp"
	ErrCleanupFailed        = "CleanupFailed"
	// ErrOutcomeNotRecorded ends a run whose outcome could not be
	// committed; the watchdog reports it as failed.
	ErrOutcomeNotRecorded = "OutcomeNotRecorded"
)

// transactionCanceled are the names Step Functions gives a DynamoDB
// transaction refused by a condition (the service's SDK name varies in
// case between the emulator and AWS).
var transactionCanceled = []string{"DynamoDB.TransactionCanceledException", "DynamoDb.TransactionCanceledException"}

// BuildRequest is the message the state machine sends to the build
// queue; whoever runs the build answers with SendTaskSuccess (a Result as
// output) or SendTaskFailure, using TaskToken.
type BuildRequest struct {
	TaskToken     string `json:"taskToken"`
	AccountID     string `json:"accountId"`
	Reason        string `json:"reason"`
	ExecutionArn  string `json:"executionArn"`
	ExecutionName string `json:"executionName"`
	// QuotaWaits counts how often CodeBuild's concurrent-build quota
	// refused this request (the worker sets it when it puts it back).
	QuotaWaits int `json:"quotaWaits,omitempty"`
}

type obj = map[string]any

// withCatch adds catchers to a state.
func withCatch(state obj, catchers ...obj) obj {
	state["Catch"] = catchers
	return state
}

// Definition returns the cleanup state machine in Amazon States Language
// (JSONPath only, so that it runs on AWS and on the emulator alike). Its
// input is the CleanAccountRequest event as EventBridge delivers it.
//
//	Prepare → CheckProtected → ReadAccount → CheckAccount
//	  → AlreadyRunning (another execution recorded, not reported yet)
//	  or RecordExecution
//	  → RunCleanup (sqs:sendMessage.waitForTaskToken)
//	  → SucceededEvent → CommitSucceeded → PublishSucceeded → ClearSucceeded → Cleaned
//	  or (any failure) → CountFailures → FailedEvent → CommitFailed → PublishFailed → ClearFailed
//	     → PublishFailureMetric → CleanupFailed
//	  a commit refused by its condition → ReadOutcome → AlreadyReported,
//	  or OutcomeNotRecorded (Fail) when the run still owns an unreported account
//
// A cleanup is running while the account names an execution that has not
// recorded an outcome. Every execution ends by committing its outcome on
// the account and its event in the outbox in one transaction, conditioned
// on no outcome being recorded yet, so a run is reported exactly once: by
// itself or, for an execution that died first, by the watchdog. The event
// is then published and its outbox record cleared; if publishing fails
// the record stays for the outbox relay. A commit that cannot be made ends
// the execution as failed (OutcomeNotRecorded), which the watchdog reports
// (Step Functions' DescribeExecution is not used here: its timestamps
// break the emulator). The execution is recorded on the account with a
// write conditioned on the version it read, so of two executions racing
// for one account only one runs; the other re-reads, finds the first and
// ends without an event. Outputs never hold timestamps from AWS responses
// (the emulator cannot serialise them).
func Definition(in DefinitionInput) (string, error) {
	if in.AccountTable == "" || in.OutboxTable == "" || in.EventBus == "" || in.BuildQueueURL == "" ||
		in.MetricNamespace == "" ||
		len(in.ProtectedAccounts) == 0 ||
		in.BuildTimeoutSeconds <= 0 {
		return "", fmt.Errorf(
			"cleanup definition: tables, bus, queue, metric namespace, protected accounts and build timeout are required",
		)
	}
	key := obj{names.AttrAccountID: obj{"S.$": "$.accountId"}}
	ctxPath := names.AttrCleanupContext
	protected := make([]obj, 0, len(in.ProtectedAccounts))
	for _, id := range in.ProtectedAccounts {
		protected = append(protected, obj{"Variable": "$.accountId", "StringEquals": id})
	}
	executionContext := obj{
		"stateMachineExecutionArn.$":       "$.execution.arn",
		"stateMachineExecutionStartTime.$": "$.execution.startTime",
	}
	// report builds the run's event (detail) and the id of its outbox
	// record, at $.report.
	report := func(detail obj, next string) obj {
		return obj{
			"Type":       "Pass",
			"Parameters": obj{"id.$": "States.UUID()", "event": detail},
			"ResultPath": "$.report",
			"Next":       next,
		}
	}
	// commit records the outcome on the account and the event in the
	// outbox in one transaction, once: only while the account still names
	// this execution and no outcome is recorded.
	commit := func(outcome, detailType, extraSet string, extraValues obj, next string) obj {
		values := obj{":self": obj{"S.$": "$.execution.arn"}, ":outcome": obj{"S": outcome}, ":one": obj{"N": "1"},
			":now": obj{"S.$": "$$.State.EnteredTime"}}
		attrNames := obj{"#ctx": ctxPath, "#arn": names.AttrExecutionArn, "#outcome": names.AttrCleanupOutcome,
			"#v": names.AttrVersion, "#mod": names.AttrLastModified}
		for k, v := range extraValues {
			values[k] = v
		}
		if extraSet != "" {
			attrNames["#failures"] = names.AttrCleanupFailures
		}
		return obj{
			"Type":     "Task",
			"Resource": "arn:aws:states:::aws-sdk:dynamodb:transactWriteItems",
			"Parameters": obj{"TransactItems": []obj{
				{"Update": obj{
					"TableName":                 in.AccountTable,
					"Key":                       key,
					"ConditionExpression":       "#ctx.#arn = :self AND attribute_not_exists(#ctx.#outcome)",
					"UpdateExpression":          "SET #ctx.#outcome = :outcome, #v = #v + :one, #mod = :now" + extraSet,
					"ExpressionAttributeNames":  attrNames,
					"ExpressionAttributeValues": values,
				}},
				// The outbox record, as ddbstore writes it (no TTL: it is
				// removed once published).
				{"Put": obj{
					"TableName": in.OutboxTable,
					"Item": obj{
						names.AttrID: obj{"S.$": "$.report.id"},
						"source":     obj{"S": names.SourceCleaner},
						"detailType": obj{"S": detailType},
						"detail":     obj{"S.$": "States.JsonToString($.report.event)"},
						// Step Functions gives the entry time as ddbstore
						// writes times (UTC, milliseconds), so the record
						// sorts among the others in the pending index.
						names.AttrCreatedAt: obj{"S.$": "$$.State.EnteredTime"},
						names.AttrPending:   obj{"S": names.OutboxPending},
					},
					"ConditionExpression":      "attribute_not_exists(#id)",
					"ExpressionAttributeNames": obj{"#id": names.AttrID},
				}},
			}},
			"ResultPath": nil,
			"Retry": []obj{
				{"ErrorEquals": transactionCanceled, "MaxAttempts": 0},
				{"ErrorEquals": []string{"States.ALL"}, "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2},
			},
			"Catch": []obj{
				// Refused by its condition: reported already, or no longer
				// this run's account. Read which.
				{"ErrorEquals": transactionCanceled, "ResultPath": "$.commitError", "Next": "ReadOutcome"},
				{"ErrorEquals": []string{"States.ALL"}, "ResultPath": "$.commitError", "Next": "OutcomeNotRecorded"},
			},
			"Next": next,
		}
	}
	// readAccount reads the account row, strongly consistent, into
	// resultPath, retrying every interval seconds (doubling) three times.
	readAccount := func(resultPath string, interval int, next string) obj {
		return obj{
			"Type":       "Task",
			"Resource":   "arn:aws:states:::aws-sdk:dynamodb:getItem",
			"Parameters": obj{"TableName": in.AccountTable, "Key": key, "ConsistentRead": true},
			"ResultPath": resultPath,
			"Retry": []obj{
				{"ErrorEquals": []string{"States.ALL"}, "IntervalSeconds": interval, "MaxAttempts": 3, "BackoffRate": 2},
			},
			"Next": next,
		}
	}
	// publish puts the committed event on the bus; on failure the outbox
	// record stays for the relay.
	publish := func(detailType, next, ifFailed string) obj {
		return obj{
			"Type":     "Task",
			"Resource": "arn:aws:states:::events:putEvents",
			"Parameters": obj{"Entries": []obj{{
				"EventBusName": in.EventBus,
				"Source":       names.SourceCleaner,
				"DetailType":   detailType,
				"Detail.$":     "$.report.event",
			}}},
			"ResultPath": nil,
			"Retry": []obj{
				{"ErrorEquals": []string{"States.ALL"}, "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2},
			},
			"Catch": []obj{
				{"ErrorEquals": []string{"States.ALL"}, "ResultPath": "$.publishError", "Next": ifFailed},
			},
			"Next": next,
		}
	}
	// clear removes the published event's outbox record; if that fails
	// the relay publishes it once more, which consumers tolerate.
	clearRecord := func(next string) obj {
		return obj{
			"Type":       "Task",
			"Resource":   "arn:aws:states:::aws-sdk:dynamodb:deleteItem",
			"Parameters": obj{"TableName": in.OutboxTable, "Key": obj{names.AttrID: obj{"S.$": "$.report.id"}}},
			"ResultPath": nil,
			"Catch":      []obj{{"ErrorEquals": []string{"States.ALL"}, "ResultPath": "$.clearError", "Next": next}},
			"Next":       next,
		}
	}

	states := obj{
		"Prepare": obj{
			"Type": "Pass",
			"Parameters": obj{
				"accountId.$": "$.detail.accountId",
				"reason.$":    "$.detail.reason",
				"execution": obj{
					"arn.$":       "$$.Execution.Id",
					"name.$":      "$$.Execution.Name",
					"startTime.$": "$$.Execution.StartTime",
				},
			},
			"Next": "CheckProtected",
		},
		"CheckProtected": obj{
			"Type":    "Choice",
			"Choices": []obj{{"Or": protected, "Next": "RefuseProtected"}},
			"Default": "ReadAccount",
		},
		"RefuseProtected": obj{
			"Type":  "Fail",
			"Error": ErrProtectedAccount,
			"Cause": "the hub, management and IAM Identity Center accounts are never cleaned",
		},
		"ReadAccount": readAccount("$.read", 2, "CheckAccount"),
		"CheckAccount": obj{
			"Type": "Choice",
			"Choices": []obj{
				{"Variable": "$.read.Item", "IsPresent": false, "Next": "RefuseUnregistered"},
				{
					"Not":  obj{"Variable": "$.read.Item.status.S", "StringEquals": string(account.CleanUp)},
					"Next": "RefuseNotInCleanUp",
				},
				{"And": []obj{
					{"Variable": "$.read.Item." + ctxPath + ".M." + names.AttrExecutionArn + ".S", "IsPresent": true},
					{"Not": obj{"Variable": "$.read.Item." + ctxPath + ".M." + names.AttrCleanupOutcome + ".S", "IsPresent": true}},
					{"Not": obj{"Variable": "$.read.Item." + ctxPath + ".M." + names.AttrExecutionArn + ".S", "StringEqualsPath": "$.execution.arn"}},
				}, "Next": "AlreadyRunning"},
			},
			"Default": "RecordExecution",
		},
		"RefuseUnregistered": obj{
			"Type":  "Fail",
			"Error": ErrAccountNotRegistered,
			"Cause": "the account is not in the account table",
		},
		"RefuseNotInCleanUp": obj{
			"Type":  "Fail",
			"Error": ErrAccountNotInCleanUp,
			"Cause": "only an account in CleanUp is cleaned",
		},
		"AlreadyRunning": obj{
			"Type":    "Succeed",
			"Comment": "another execution is cleaning this account and has not reported; it (or the watchdog) will",
		},
		"RecordExecution": obj{
			"Type":     "Task",
			"Resource": "arn:aws:states:::aws-sdk:dynamodb:updateItem",
			"Parameters": obj{
				"TableName":                in.AccountTable,
				"Key":                      key,
				"ConditionExpression":      "#s = :cleanup AND #v = :read",
				"UpdateExpression":         "SET #ctx = :ctx, #v = #v + :one, #mod = :now",
				"ExpressionAttributeNames": obj{"#s": names.AttrStatus, "#v": names.AttrVersion, "#ctx": ctxPath, "#mod": names.AttrLastModified},
				"ExpressionAttributeValues": obj{
					":cleanup": obj{"S": string(account.CleanUp)},
					":read":    obj{"N.$": "$.read.Item.version.N"},
					":one":     obj{"N": "1"},
					":now":     obj{"S.$": "$$.State.EnteredTime"},
					":ctx": obj{"M": obj{
						names.AttrExecutionArn:       obj{"S.$": "$.execution.arn"},
						names.AttrExecutionStartTime: obj{"S.$": "$.execution.startTime"},
					}},
				},
			},
			"ResultPath": nil,
			// Someone changed the account since it was read: read it again.
			"Catch": []obj{
				{
					"ErrorEquals": []string{"DynamoDB.ConditionalCheckFailedException"},
					"ResultPath":  nil,
					"Next":        "ReadAccount",
				},
			},
			"Next": "RunCleanup",
		},
		"RunCleanup": obj{
			"Type":     "Task",
			"Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
			"Parameters": obj{
				"QueueUrl": in.BuildQueueURL,
				"MessageBody": obj{
					"taskToken.$":     "$$.Task.Token",
					"accountId.$":     "$.accountId",
					"reason.$":        "$.reason",
					"executionArn.$":  "$.execution.arn",
					"executionName.$": "$.execution.name",
				},
			},
			"TimeoutSeconds": in.BuildTimeoutSeconds,
			"ResultPath":     "$.cleanup",
			"Catch": []obj{
				{"ErrorEquals": []string{"States.ALL"}, "ResultPath": "$.error", "Next": "CountFailures"},
			},
			"Next": "SucceededEvent",
		},
		"SucceededEvent": report(obj{
			"accountId.$": "$.accountId", "reason.$": "$.reason", "cleanupExecutionContext": executionContext,
		}, "CommitSucceeded"),
		"CommitSucceeded": commit(
			account.CleanupSucceeded,
			names.AccountCleanupSucceeded,
			"",
			nil,
			"PublishSucceeded",
		),
		"PublishSucceeded": publish(names.AccountCleanupSucceeded, "ClearSucceeded", "Cleaned"),
		"ClearSucceeded":   clearRecord("Cleaned"),
		"Cleaned":          obj{"Type": "Succeed"},
		"ReadOutcome": withCatch(readAccount("$.recheck", 1, "CheckOutcome"),
			obj{"ErrorEquals": []string{"States.ALL"}, "ResultPath": "$.commitError", "Next": "OutcomeNotRecorded"}),
		"CheckOutcome": obj{
			"Type": "Choice",
			"Choices": []obj{{"And": []obj{
				{"Variable": "$.recheck.Item." + ctxPath + ".M." + names.AttrExecutionArn + ".S", "IsPresent": true},
				{"Variable": "$.recheck.Item." + ctxPath + ".M." + names.AttrExecutionArn + ".S", "StringEqualsPath": "$.execution.arn"},
				{"Not": obj{"Variable": "$.recheck.Item." + ctxPath + ".M." + names.AttrCleanupOutcome + ".S", "IsPresent": true}},
			}, "Next": "OutcomeNotRecorded"}},
			"Default": "AlreadyReported",
		},
		"AlreadyReported": obj{
			"Type":    "Succeed",
			"Comment": "the run was reported already (by the watchdog) or the account is no longer this run's; nothing to emit",
		},
		"OutcomeNotRecorded": obj{"Type": "Fail", "Error": ErrOutcomeNotRecorded,
			"Cause": "the outcome and its event could not be committed; the watchdog reports this run as failed"},
		"CountFailures": obj{
			"Type":    "Choice",
			"Choices": []obj{{"Variable": "$.read.Item." + names.AttrCleanupFailures + ".N", "IsPresent": true, "Next": "AddFailure"}},
			"Default": "FirstFailure",
		},
		"AddFailure": obj{
			"Type":       "Pass",
			"Parameters": obj{"count.$": "States.MathAdd(States.StringToJson($.read.Item." + names.AttrCleanupFailures + ".N), 1)"},
			"ResultPath": "$.failures",
			"Next":       "FailureMessage",
		},
		"FirstFailure": obj{
			"Type":       "Pass",
			"Result":     obj{"count": 1},
			"ResultPath": "$.failures",
			"Next":       "FailureMessage",
		},
		"FailureMessage": obj{
			"Type":    "Choice",
			"Choices": []obj{{"Variable": "$.error.Cause", "IsPresent": true, "Next": "MessageWithCause"}},
			"Default": "MessageWithoutCause",
		},
		"MessageWithCause": obj{
			"Type": "Pass", "Parameters": obj{"text.$": "States.Format('{}: {}', $.error.Error, $.error.Cause)"},
			"ResultPath": "$.message", "Next": "FailedEvent",
		},
		"MessageWithoutCause": obj{
			"Type": "Pass", "Parameters": obj{"text.$": "$.error.Error"},
			"ResultPath": "$.message", "Next": "FailedEvent",
		},
		"FailedEvent": report(obj{
			"accountId.$": "$.accountId", "reason.$": "$.reason", "cleanupExecutionContext": executionContext,
			"consecutiveFailures.$": "$.failures.count", "errorMessage.$": "$.message.text",
		}, "CommitFailed"),
		// The failure count is stored with the outcome.
		"CommitFailed": commit(account.CleanupFailed, names.AccountCleanupFailed, ", #failures = :failures",
			obj{":failures": obj{"N.$": "States.Format('{}', $.failures.count)"}}, "PublishFailed"),
		"PublishFailed": publish(names.AccountCleanupFailed, "ClearFailed", "PublishFailureMetric"),
		"ClearFailed":   clearRecord("PublishFailureMetric"),
		"PublishFailureMetric": obj{
			"Type":     "Task",
			"Resource": "arn:aws:states:::aws-sdk:cloudwatch:putMetricData",
			"Parameters": obj{
				"Namespace":  in.MetricNamespace,
				"MetricData": []obj{{"MetricName": names.MetricCleanupFailures, "Value": 1, "Unit": "Count"}},
			},
			"ResultPath": nil,
			"Catch":      []obj{{"ErrorEquals": []string{"States.ALL"}, "ResultPath": nil, "Next": "CleanupFailed"}},
			"Next":       "CleanupFailed",
		},
		"CleanupFailed": obj{
			"Type":  "Fail",
			"Error": ErrCleanupFailed,
			"Cause": "the cleanup failed; AccountCleanupFailed was emitted",
		},
	}

	def := obj{
		"Comment":        "Cleans one sandbox account with aws-nuke (isb-go account cleaner)",
		"StartAt":        "Prepare",
		"TimeoutSeconds": in.BuildTimeoutSeconds + 1800,
		"States":         states,
	}
	b, err := json.MarshalIndent(def, "", "  ")
	if err != nil {
		return "", fmt.Errorf("cleanup definition: %w", err)
	}
	return string(b), nil
}
