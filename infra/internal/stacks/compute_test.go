package stacks

import (
	"encoding/json"
	"fmt"
	"maps"
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

func TestComputeHopRoles(t *testing.T) {
	all := resources(t, StackCompute)
	assertNoWildcardActions(t, all)
	// The roles that reach other accounts, by what they are: a Lambda by
	// the start of its description, the cleanup build by its project.
	roleOf := map[string]string{}
	for _, who := range []string{"REST API: /accounts", "REST API: /leases", "SAML sign-in", "Account lifecycle manager",
		"Lease monitor", "Drift monitor", "Group cost report", "Email notifier"} {
		_, fn := functionByDescription(t, all, who)
		roleOf[who] = getAttTarget(fn["Role"])
	}
	projects := ofType(all, "AWS::CodeBuild::Project")
	if len(projects) != 1 {
		t.Fatalf("projects = %v", projects)
	}
	roleOf["cleanup build"] = getAttTarget(all[projects[0]].Properties["ServiceRole"])
	// Who may reach which target role. The sign-in and email functions
	// only read Identity Center; only the cleanup build reaches pool
	// accounts.
	uses := map[string][]string{
		"REST API: /accounts":       {names.OrgMgtRole, names.IdcRole},
		"REST API: /leases":         {names.LesseeRole},
		"SAML sign-in":              {names.IdcReadOnlyRole},
		"Account lifecycle manager": {names.OrgMgtRole, names.IdcRole, names.SandboxAccountRole},
		"Lease monitor":             {names.OrgMgtRole},
		"Drift monitor":             {names.OrgMgtRole, names.IdcRole},
		"Group cost report":         {names.OrgMgtRole},
		"Email notifier":            {names.IdcReadOnlyRole},
		"cleanup build":             {names.SandboxAccountRole},
	}
	hopID := map[string]string{}
	for _, id := range ofType(all, "AWS::IAM::Role") {
		for _, target := range names.HopTargets {
			hop, _ := names.HopFor(target)
			if all[id].Properties["RoleName"] == names.Physical(testCfg.Namespace, hop) {
				hopID[target] = id
			}
		}
	}
	if len(hopID) != len(names.HopTargets) {
		t.Fatalf("hop roles %v, want one per target %v", hopID, names.HopTargets)
	}
	if slices.Contains(ofType(all, "AWS::IAM::Role"), "IntermediateRole") {
		t.Error("the single intermediate role is still there")
	}
	for _, target := range names.HopTargets {
		hop, _ := names.HopFor(target)
		role := all[hopID[target]].Properties
		t.Run(hop+" trusts exactly the roles of the functions that reach "+target, func(t *testing.T) {
			var want, got []string
			for who, targets := range uses {
				if slices.Contains(targets, target) {
					want = append(want, roleOf[who])
				}
			}
			sts := asList(role["AssumeRolePolicyDocument"].(map[string]any)["Statement"])
			for _, st := range sts {
				st := st.(map[string]any)
				if st["Effect"] != "Allow" || st["Action"] != "sts:AssumeRole" {
					t.Errorf("trust statement %v", st)
				}
				for _, p := range asList(st["Principal"].(map[string]any)["AWS"]) {
					id := getAttTarget(p)
					if id == "" {
						t.Errorf("trusted principal %v is not one of the stack's roles", p)
					}
					got = append(got, id)
				}
			}
			if !sameSet(got, want) {
				t.Errorf("trusted by %v, want exactly %v", got, want)
			}
			if role["MaxSessionDuration"] != float64(3600) {
				t.Errorf("MaxSessionDuration = %v", role["MaxSessionDuration"])
			}
		})
		t.Run(hop+" may assume only "+target, func(t *testing.T) {
			var sts []map[string]any
			for _, p := range asList(role["Policies"]) {
				for _, st := range asList(p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"]) {
					sts = append(sts, st.(map[string]any))
				}
			}
			if grants := grantsOf(all, hopID[target]); len(grants) != 0 {
				t.Errorf("extra policies on the hop: %v", grants)
			}
			wantAction := "sts:AssumeRole"
			if target == names.LesseeRole {
				// The lessee hop also names the lessee in the session.
				wantAction = "[sts:AssumeRole sts:SetSourceIdentity]"
			}
			if len(sts) != 1 || fmt.Sprint(sts[0]["Action"]) != wantAction || sts[0]["Effect"] != "Allow" {
				t.Fatalf("hop policy %v, want one %s statement", sts, wantAction)
			}
			want := ""
			switch target {
			case names.OrgMgtRole:
				want = hub.RoleArn(testCfg.OrgMgtAccountID, testCfg.Namespace, target)
			case names.IdcRole, names.IdcReadOnlyRole:
				want = hub.RoleArn(testCfg.IdcAccountID, testCfg.Namespace, target)
			case names.SandboxAccountRole:
				want = "arn:aws:iam::*:role/" + names.Physical(testCfg.Namespace, target)
			case names.LesseeRole:
				want = "arn:aws:iam::*:role/Lessee-" + names.Physical(testCfg.Namespace, target)
			}
			if sts[0]["Resource"] != want {
				t.Errorf("may assume %v, want %s", sts[0]["Resource"], want)
			}
			cond, _ := json.Marshal(sts[0]["Condition"])
			if target == names.SandboxAccountRole || target == names.LesseeRole {
				want := fmt.Sprintf(
					`{"ForAnyValue:StringLike":{"aws:ResourceOrgPaths":[%q]}}`,
					testCfg.PoolOrgPath+"/*",
				)
				if string(cond) != want {
					t.Errorf("condition %s, want the pool OU's accounts only: %s", cond, want)
				}
			} else if sts[0]["Condition"] != nil {
				t.Errorf("unexpected condition %s", cond)
			}
		})
	}
	t.Run(
		"each function may assume exactly the hops of the targets it reaches, and no other role assumes anything",
		func(t *testing.T) {
			wantOf := map[string][]string{}
			for who, targets := range uses {
				for _, target := range targets {
					wantOf[roleOf[who]] = append(wantOf[roleOf[who]], grantedHop(target))
				}
			}
			for _, id := range ofType(all, "AWS::IAM::Role") {
				if slices.Contains(slices.Collect(maps.Values(hopID)), id) {
					continue // the hops' own policies, checked above
				}
				got := grantsOf(all, id)["sts:AssumeRole"]
				for _, p := range asList(all[id].Properties["Policies"]) {
					for _, st := range asList(p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"]) {
						if contains(actions(st.(map[string]any)), "sts:AssumeRole") {
							b, _ := json.Marshal(st.(map[string]any)["Resource"])
							got = append(got, string(b))
						}
					}
				}
				if !sameSet(got, wantOf[id]) {
					t.Errorf("role %s may assume %v, want exactly %v", id, got, wantOf[id])
				}
			}
		},
	)
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
	tpl.HasResourceProperties(
		jsii.String("AWS::SNS::Subscription"),
		props{"Protocol": "email", "Endpoint": testCfg.AlarmEmail},
	)
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
	// manager, the lease and drift monitors, the reaper, the cost report and
	// the email notifier.
	template(t, StackCompute).ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(16))
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
