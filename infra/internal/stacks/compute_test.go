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
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/infra/internal/hub"
)

func TestComputeEventBus(t *testing.T) {
	tpl := template(t, StackCompute)
	tpl.ResourceCountIs(jsii.String("AWS::Events::EventBus"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::Events::EventBus"), props{
		"Name":             names.Physical(testCfg.Namespace, names.EventBus),
		"KmsKeyIdentifier": assertions.Match_AnyValue(),
		"DeadLetterConfig": props{"Arn": assertions.Match_AnyValue()},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Events::Archive"), props{
		"RetentionDays":    eventArchiveDays,
		"KmsKeyIdentifier": objectLike(props{"Fn::GetAtt": assertions.Match_AnyValue()}),
		"EventPattern":     props{"account": []any{testCfg.HubAccountID}},
	})
	t.Run("every queue is KMS-encrypted, SSL-only and keeps messages 14 days", func(t *testing.T) {
		tpl.AllResourcesProperties(jsii.String("AWS::SQS::Queue"), props{
			"KmsMasterKeyId":         assertions.Match_AnyValue(),
			"MessageRetentionPeriod": 14 * 24 * 3600,
		})
		all := resources(t, StackCompute)
		for _, id := range ofType(all, "AWS::SQS::QueuePolicy") {
			b, _ := json.Marshal(all[id].Properties["PolicyDocument"])
			if !strings.Contains(string(b), `"aws:SecureTransport":"false"`) {
				t.Errorf("queue policy %s does not deny plain HTTP", id)
			}
		}
	})
	t.Run("the audit rule logs every event with retries and the DLQ", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), props{
			"EventPattern": props{"source": []any{props{"prefix": ""}}},
			"Targets": []any{objectLike(props{
				"DeadLetterConfig": objectLike(props{}),
				"RetryPolicy":      props{"MaximumRetryAttempts": 20, "MaximumEventAgeInSeconds": 86400},
			})},
		})
		tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), props{
			"LogGroupName":    "/aws/events/" + names.Physical(testCfg.Namespace, names.EventBus),
			"RetentionInDays": testCfg.LogRetentionDays,
			"KmsKeyId":        assertions.Match_AnyValue(),
		})
	})
}

func TestComputeIntermediateRole(t *testing.T) {
	tpl := template(t, StackCompute)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), props{
		"RoleName": names.Physical(testCfg.Namespace, names.IntermediateRole),
		"AssumeRolePolicyDocument": objectLike(props{"Statement": []any{objectLike(props{
			"Condition": props{"ArnLike": props{"aws:PrincipalArn": fmt.Sprintf("arn:aws:iam::%s:role/%s", testCfg.HubAccountID, names.Physical(testCfg.Namespace, "*"))}},
		})}}),
	})
	all := resources(t, StackCompute)
	assertNoWildcardActions(t, all)
	var targets []string
	for _, st := range statements(all) {
		if contains(actions(st), "sts:AssumeRole") && st["Effect"] == "Allow" {
			for _, r := range asList(st["Resource"]) {
				targets = append(targets, fmt.Sprint(r))
			}
		}
	}
	want := []string{
		hub.RoleArn(testCfg.OrgMgtAccountID, testCfg.Namespace, names.OrgMgtRole),
		hub.RoleArn(testCfg.IdcAccountID, testCfg.Namespace, names.IdcRole),
		"arn:aws:iam::*:role/" + names.Physical(testCfg.Namespace, names.SandboxAccountRole),
		// The accounts API function reaches Organizations through the
		// intermediate role, and the cleanup build the sandbox accounts
		// (and nothing else does from the hub).
		hub.IntermediateRoleArn(testCfg.HubAccountID, testCfg.Namespace),
	}
	slices.Sort(targets)
	targets = slices.Compact(targets)
	slices.Sort(want)
	if strings.Join(targets, " ") != strings.Join(want, " ") {
		t.Errorf("intermediate role may assume %v, want exactly %v", targets, want)
	}
}

func TestComputeSecretAndAlarms(t *testing.T) {
	tpl := template(t, StackCompute)
	// The page-token secret holds key material: the hub key encrypts it.
	// The session token secret publishes only public keys.
	tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), props{
		"Name":     names.Physical(testCfg.Namespace, names.PageTokenSecret),
		"KmsKeyId": assertions.Match_AnyValue(),
	})
	tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), props{
		"Name":         names.Physical(testCfg.Namespace, names.SessionKeys),
		"SecretString": names.SessionKeysPlaceholder,
	})
	tpl.HasResourceProperties(jsii.String("AWS::SNS::Topic"), props{"KmsMasterKeyId": assertions.Match_AnyValue()})
	tpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), props{"Protocol": "email", "Endpoint": testCfg.AlarmEmail})
	tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(1))
	ns := names.MetricNamespace(testCfg.Namespace)
	for _, tc := range []struct {
		name  string
		props props
	}{
		{"dead-letter queue not empty", props{"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible", "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold"}},
		{"free accounts below threshold", props{"Namespace": ns, "MetricName": names.MetricAvailableAccounts, "Threshold": testCfg.MinFreeAccounts, "ComparisonOperator": "LessThanThreshold"}},
		{"quarantined accounts above zero", props{"Namespace": ns, "MetricName": names.MetricQuarantinedAccounts, "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold"}},
		{"cleanup failures", props{"Namespace": ns, "MetricName": names.MetricCleanupFailures, "Threshold": 1}},
		{"authorizer errors", props{"Namespace": ns, "MetricName": names.MetricAuthorizerErrors, "Threshold": 1}},
	} {
		t.Run(tc.name+" alarms the topic", func(t *testing.T) {
			p := props{"AlarmActions": []any{objectLike(props{"Ref": assertions.Match_AnyValue()})}}
			for k, v := range tc.props {
				p[k] = v
			}
			tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), p)
		})
	}
	tpl.AllResourcesProperties(jsii.String("AWS::CloudWatch::Alarm"), props{"TreatMissingData": "notBreaching"})
}

func TestComputeHasNoStubFunctions(t *testing.T) {
	// The Compute stack deploys exactly the functions that exist: the JWT
	// rotator, the authorizer, the SSO handler, the four API handlers and
	// the outbox relay, the cleaner's worker and watchdog, the lifecycle
	// manager, the lease and drift monitors, the cost report and the email
	// notifier.
	template(t, StackCompute).ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(15))
}

func TestComputeServesEveryRoute(t *testing.T) {
	// One method per row of the route table, sign-in routes included.
	tpl := template(t, StackCompute)
	tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(float64(len(routes.Table))))
	tpl.ResourceCountIs(jsii.String("AWS::WAFv2::WebACLAssociation"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), props{
		"Environment": props{"Variables": objectLike(props{
			names.EnvIdcConfigParam: fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", testCfg.Region, testCfg.IdcAccountID,
				names.Physical(testCfg.Namespace, names.IdcConfigParam)),
		})},
	})
}

func TestComputeRotatesTheSigningKey(t *testing.T) {
	tpl := template(t, StackCompute)
	// Immediately at creation: the first rotation publishes the first key.
	tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::RotationSchedule"), props{
		"SecretId":                  objectLike(props{"Ref": assertions.Match_AnyValue()}),
		"RotationLambdaARN":         assertions.Match_AnyValue(),
		"RotateImmediatelyOnUpdate": true,
		"RotationRules":             props{"ScheduleExpression": "rate(30 days)"},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), props{
		"ReservedConcurrentExecutions": 1,
		"Environment": props{"Variables": objectLike(props{
			names.EnvSessionKeys: names.Physical(testCfg.Namespace, names.SessionKeys),
			names.EnvNamespace:   testCfg.Namespace,
		})},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), props{
		"Principal": "secretsmanager.amazonaws.com", "Action": "lambda:InvokeFunction",
	})
}
