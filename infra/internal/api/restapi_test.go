package api

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
	"github.com/isb-go/isb/infra/internal/templatecheck"
)

const ns = "test"

// The stack is synthesized once; the tests read its template.
var (
	tpl      assertions.Template
	ann      assertions.Annotations
	tplJSON  map[string]any
	outdir   string
	familyFn = map[routes.Family]string{} // family -> logical id of its test function
	// sessionsTable is the logical id of the Sessions table stand-in.
	sessionsTable string
)

func TestMain(m *testing.M) {
	os.Setenv("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
	tmp, err := os.MkdirTemp("", "isb-api-test-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(tmp)
		for _, name := range []string{names.LambdaAuthorizer, names.LambdaSSO} {
			if err := fakeAsset(filepath.Join(tmp, "lambda", name)); err != nil {
				panic(err)
			}
		}
		outdir = filepath.Join(tmp, "cdk.out")
		synth(filepath.Join(tmp, "lambda"))
		return m.Run()
	}()
	os.Exit(code)
}

func fakeAsset(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, platform.BootstrapZip))
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("bootstrap")
	_, _ = w.Write([]byte("#!/bin/sh\n"))
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// grantConfigRead stands in for the AppConfig reader's grant: read access
// to one global configuration profile.
func grantConfigRead(fn *platform.GoFunction) {
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadGlobalConfig"),
		Actions:   jsii.Strings("appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"),
		Resources: jsii.Strings("arn:aws:appconfig:us-east-1:111111111111:application/app1/environment/env1/configuration/prof1"),
	}))
}

func synth(assetDir string) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	stack := awscdk.NewStack(app, jsii.String("ApiTest"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	key := platform.NewKey(
		stack,
		"Key",
		&platform.KeyProps{Alias: "isb/test/api", Description: "test", Mode: config.ModeDev},
	)
	secret := awssecretsmanager.NewSecret(stack, jsii.String("Jwt"), &awssecretsmanager.SecretProps{EncryptionKey: key})
	platform.Suppress(
		secret,
		platform.Suppression{
			Rule:   "AwsSolutions-SMG4",
			Reason: "Test secret; rotation is tested with the Compute stack.",
		},
	)
	// Test-only stand-ins for the handler functions, which another
	// construct owns; never deployed.
	integrations := map[routes.Family]awslambda.IFunction{}
	for _, f := range routes.Families {
		if f == routes.Auth {
			continue // the real SSO handler, below
		}
		fn := awslambda.NewFunction(stack, jsii.String("Fn-"+string(f)), &awslambda.FunctionProps{
			Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"),
			Architecture: awslambda.Architecture_ARM_64(),
			Code: awslambda.Code_FromAsset(
				jsii.String(filepath.Join(assetDir, names.LambdaAuthorizer, platform.BootstrapZip)),
				nil,
			),
		})
		platform.Suppress(
			fn,
			platform.Suppression{
				Rule:   "AwsSolutions-IAM4",
				Reason: "Test stand-in function only; the real handlers use platform.NewGoFunction.",
			},
		)
		integrations[f] = fn
		familyFn[f] = *stack.GetLogicalId(fn.Node().DefaultChild().(awscdk.CfnElement))
	}
	sessions := awsdynamodb.NewTable(stack, jsii.String("Sessions"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{
			Name: jsii.String(names.AttrID),
			Type: awsdynamodb.AttributeType_STRING,
		},
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:          awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey:       key,
		TimeToLiveAttribute: jsii.String(names.AttrTTL),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
	})
	sessionsTable = *stack.GetLogicalId(sessions.Node().DefaultChild().(awscdk.CfnElement))
	authz := NewAuthorizer(stack, "AuthorizerFn", &AuthorizerProps{
		Namespace: ns, AssetDir: assetDir, Secret: secret, LogKey: key, Sessions: sessions,
		LogRetentionDays: 30, Mode: config.ModeDev,
		GrantConfigRead: grantConfigRead,
	})
	sso := NewSSO(stack, "Sso", &SSOProps{
		Namespace: ns, AssetDir: assetDir, HubAccountID: "111111111111", JwtSecret: secret, JwtSecretKey: key,
		IdcConfigParamArn: "arn:aws:ssm:us-east-1:333333333333:parameter/isb-test-IdcConfig",
		Sessions:          sessions,
		LogKey:            key, LogRetentionDays: 30, Mode: config.ModeDev,
		GrantConfigRead: grantConfigRead,
	})
	integrations[routes.Auth] = sso.Function.Function
	familyFn[routes.Auth] = *stack.GetLogicalId(sso.Function.Function.Node().DefaultChild().(awscdk.CfnElement))
	topic := awssns.NewTopic(stack, jsii.String("Alarms"), &awssns.TopicProps{MasterKey: key})
	NewRestAPI(stack, "Rest", &RestAPIProps{
		Namespace: ns, Integrations: integrations, Authorizer: authz.Function, Key: key,
		LogRetentionDays: 30, Mode: config.ModeDev, AllowedIPRanges: []string{"203.0.113.0/24", "2001:db8::/32"},
		AlarmTopic: topic,
	})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
	tpl = assertions.Template_FromStack(stack, nil)
	ann = assertions.Annotations_FromStack(stack)
	b, _ := json.Marshal(tpl.ToJSON())
	_ = json.Unmarshal(b, &tplJSON)
}

type props = map[string]any

func resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tplJSON["Resources"].(map[string]any) {
		rm := r.(map[string]any)
		if rm["Type"] == typ {
			p, _ := rm["Properties"].(map[string]any)
			out[id] = p
		}
	}
	return out
}

func ref(v any) string {
	m, _ := v.(map[string]any)
	if s, ok := m["Ref"].(string); ok {
		return s
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok {
		return ga[0].(string) + "." + ga[1].(string)
	}
	return ""
}

// paths resolves every API Gateway resource to its full path.
func paths() map[string]string {
	res := resources("AWS::ApiGateway::Resource")
	var resolve func(id string) string
	resolve = func(id string) string {
		p := res[id]
		parent := ref(p["ParentId"])
		prefix := ""
		if !strings.HasSuffix(parent, ".RootResourceId") {
			prefix = resolve(parent)
		}
		return prefix + "/" + p["PathPart"].(string)
	}
	out := map[string]string{}
	for id := range res {
		out[id] = resolve(id)
	}
	return out
}

func TestEveryRouteIsAMethodOfItsFamily(t *testing.T) {
	methods := resources("AWS::ApiGateway::Method")
	byPath := paths()
	got := map[string]props{}
	for _, m := range methods {
		path := byPath[ref(m["ResourceId"])]
		got[m["HttpMethod"].(string)+" "+path] = m
	}
	if len(methods) != len(routes.Table) {
		t.Errorf("%d methods, want one per route (%d)", len(methods), len(routes.Table))
	}
	for _, r := range routes.Table {
		name := r.Method + " " + r.Path
		m := got[name]
		if m == nil {
			t.Errorf("%s has no method", name)
			continue
		}
		wantAuth := "CUSTOM"
		if r.Public {
			wantAuth = "NONE"
		}
		if m["AuthorizationType"] != wantAuth {
			t.Errorf("%s: authorization %v, want %s", name, m["AuthorizationType"], wantAuth)
		}
		if (m["AuthorizerId"] != nil) == r.Public {
			t.Errorf("%s: authorizer %v, public %v", name, m["AuthorizerId"], r.Public)
		}
		integ, _ := m["Integration"].(map[string]any)
		uri, _ := json.Marshal(integ["Uri"])
		if integ["Type"] != "AWS_PROXY" || !strings.Contains(string(uri), `"`+familyFn[r.Family]+`"`) {
			t.Errorf("%s: integration %v %s, want AWS_PROXY to %s", name, integ["Type"], uri, familyFn[r.Family])
		}
	}
	// One invoke permission per method, each scoped to its method ARN.
	if n := len(resources("AWS::Lambda::Permission")); n != len(routes.Table)+1 {
		t.Errorf("%d Lambda permissions, want %d (one per method plus the authorizer's)", n, len(routes.Table)+1)
	}
}

func TestAuthorizerCachesPerTokenPathAndMethod(t *testing.T) {
	tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), props{
		"Type":                         "REQUEST",
		"IdentitySource":               "method.request.header.Authorization,context.path,context.httpMethod",
		"AuthorizerResultTtlInSeconds": AuthorizerCacheSeconds,
	})
}

func TestStageThrottlesLogsAndTraces(t *testing.T) {
	tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), props{
		"StageName":      StageName,
		"TracingEnabled": true,
		"AccessLogSetting": assertions.Match_ObjectLike(&map[string]any{
			"DestinationArn": assertions.Match_AnyValue(),
		}),
		"MethodSettings": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"ThrottlingRateLimit": ThrottleRateLimit, "ThrottlingBurstLimit": ThrottleBurstLimit,
			"HttpMethod": "*", "ResourcePath": "/*", "LoggingLevel": "ERROR", "DataTraceEnabled": false,
		})}),
	})
	// Without the account's logging role the stage cannot log, nor deploy.
	tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Account"), jsii.Number(1))
	tpl.HasResourceProperties(
		jsii.String("AWS::Logs::LogGroup"),
		props{"RetentionInDays": 30, "KmsKeyId": assertions.Match_AnyValue()},
	)
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), props{
		"MetricName": "5XXError", "Namespace": "AWS/ApiGateway", "AlarmActions": assertions.Match_AnyValue(),
	})
}

func TestWafKeysOnTheConnectionAddress(t *testing.T) {
	acls := resources("AWS::WAFv2::WebACL")
	if len(acls) != 1 {
		t.Fatalf("%d web ACLs, want 1", len(acls))
	}
	var acl props
	for _, a := range acls {
		acl = a
	}
	raw, _ := json.Marshal(acl)
	if strings.Contains(string(raw), "ForwardedIP") || strings.Contains(string(raw), "X-Forwarded-For") {
		t.Errorf("the ACL reads X-Forwarded-For, which the client controls: %s", raw)
	}
	if acl["Scope"] != "REGIONAL" {
		t.Errorf("scope %v", acl["Scope"])
	}
	var names []string
	for _, r := range acl["Rules"].([]any) {
		rule := r.(map[string]any)
		names = append(names, rule["Name"].(string))
		st := rule["Statement"].(map[string]any)
		if rb, ok := st["RateBasedStatement"].(map[string]any); ok {
			if rb["AggregateKeyType"] != "IP" || rb["Limit"] != float64(RateLimitPer60s) ||
				rb["EvaluationWindowSec"] != float64(rateWindowSec) {
				t.Errorf("rate rule %v", rb)
			}
		}
	}
	sort.Strings(names)
	want := []string{
		"AWSManagedRulesAmazonIpReputationList",
		"AWSManagedRulesAnonymousIpList",
		"AWSManagedRulesCommonRuleSet",
		"AllowListedAddresses",
		"RateLimitPerAddress",
	}
	if !slices.Equal(names, want) {
		t.Errorf("rules %v, want %v", names, want)
	}
	for version, ranges := range map[string][]any{"IPV4": {"203.0.113.0/24"}, "IPV6": {"2001:db8::/32"}} {
		tpl.HasResourceProperties(jsii.String("AWS::WAFv2::IPSet"),
			props{"IPAddressVersion": version, "Addresses": ranges})
	}
	tpl.ResourceCountIs(jsii.String("AWS::WAFv2::WebACLAssociation"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::WAFv2::LoggingConfiguration"), props{
		"RedactedFields": []any{props{"SingleHeader": props{"Name": "authorization"}}},
	})
}

func TestAuthorizerRoleIsLeastPrivilege(t *testing.T) {
	var fnRole string
	for id, fn := range resources("AWS::Lambda::Function") {
		if strings.HasPrefix(id, "AuthorizerFn") {
			fnRole = ref(fn["Role"])
		}
	}
	var got []string
	for _, p := range resources("AWS::IAM::Policy") {
		roles, _ := json.Marshal(p["Roles"])
		if !strings.Contains(string(roles), strings.TrimSuffix(fnRole, ".Arn")) {
			continue
		}
		for _, st := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			s := st.(map[string]any)
			res, _ := json.Marshal(s["Resource"])
			cond, _ := json.Marshal(s["Condition"])
			got = append(got, fmt.Sprintf("%v on %s if %s", s["Action"], res, cond))
			if strings.Contains(string(res), `"*"`) {
				t.Errorf("authorizer statement on every resource: %v", s)
			}
		}
	}
	sort.Strings(got)
	joined := strings.Join(got, "\n")
	for _, want := range []string{"secretsmanager:GetSecretValue", "kms:Decrypt", "appconfig:GetLatestConfiguration", "logs:PutLogEvents",
		"dynamodb:GetItem on [{\"Fn::GetAtt\":[\"" + sessionsTable + "\",\"Arn\"]}"} {
		if !strings.Contains(joined, want) {
			t.Errorf("authorizer role lacks %s:\n%s", want, joined)
		}
	}
	// The revocation check reads one item: no other table action.
	if strings.Count(joined, "dynamodb:") != 1 {
		t.Errorf("authorizer role has table actions beyond one GetItem:\n%s", joined)
	}
	if len(got) != 5 {
		t.Errorf(
			"authorizer role has %d statements, want 5 (logs, public keys, config, revoked tokens, table key):\n%s",
			len(got),
			joined,
		)
	}
	// It verifies tokens with the published public keys: it can sign none,
	// and decrypts nothing through Secrets Manager.
	if strings.Contains(joined, "kms:Sign") || strings.Contains(joined, "kms:ViaService") {
		t.Errorf("authorizer role may sign or decrypt secrets:\n%s", joined)
	}
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), props{
		"Environment": props{
			"Variables": assertions.Match_ObjectLike(
				&map[string]any{names.EnvSessionKeys: assertions.Match_AnyValue(), "ISB_NAMESPACE": ns,
					names.EnvSessionTable: props{"Ref": sessionsTable}},
			),
		},
	})
}

func TestNoUnsuppressedNagFindings(t *testing.T) { templatecheck.NoNagFindings(t, ann) }

func TestCfnLint(t *testing.T) {
	templatecheck.CfnLint(t, filepath.Join(outdir, "ApiTest.template.json"))
}

func TestSignInRoutesAreLeftOutWithoutTheSSOHandler(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("NoSso"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	fn := awslambda.Function_FromFunctionArn(
		stack,
		jsii.String("Fn"),
		jsii.String("arn:aws:lambda:us-east-1:111111111111:function:x"),
	)
	integrations := map[routes.Family]awslambda.IFunction{}
	for _, f := range routes.Families {
		if f != routes.Auth {
			integrations[f] = fn
		}
	}
	key := platform.NewKey(
		stack,
		"Key",
		&platform.KeyProps{Alias: "isb/test/nosso", Description: "test", Mode: config.ModeDev},
	)
	NewRestAPI(stack, "Rest", &RestAPIProps{
		Namespace: ns, Integrations: integrations, Authorizer: fn, Key: key, LogRetentionDays: 30, Mode: config.ModeDev,
	})
	protected := 0
	for _, r := range routes.Table {
		if !r.Public {
			protected++
		}
	}
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(float64(protected)))
	tpl.AllResourcesProperties(jsii.String("AWS::ApiGateway::Method"), props{"AuthorizationType": "CUSTOM"})

	defer func() {
		if recover() == nil {
			t.Error("a missing handler family was accepted")
		}
	}()
	delete(integrations, routes.Leases)
	NewRestAPI(
		stack,
		"Rest2",
		&RestAPIProps{
			Namespace:        ns,
			Integrations:     integrations,
			Authorizer:       fn,
			Key:              key,
			LogRetentionDays: 30,
			Mode:             config.ModeDev,
		},
	)
}

func TestGatewayErrorsUseTheJSendEnvelope(t *testing.T) {
	got := resources("AWS::ApiGateway::GatewayResponse")
	if len(got) != len(GatewayResponses) {
		t.Errorf("%d gateway responses, want %d", len(got), len(GatewayResponses))
	}
	for _, r := range got {
		body := r["ResponseTemplates"].(map[string]any)["application/json"].(string)
		probe := strings.ReplaceAll(body, "$context.error.messageString", `"x"`)
		var env struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(probe), &env); err != nil || (env.Status != "fail" && env.Status != "error") {
			t.Errorf("%v: body %s is not a JSend fail or error (%v)", r["ResponseType"], body, err)
		}
	}
	tpl.HasResourceProperties(
		jsii.String("AWS::ApiGateway::GatewayResponse"),
		props{"ResponseType": "UNAUTHORIZED", "StatusCode": "401",
			// The handlers' 401 body, word for word: no reason, whichever layer refused.
			"ResponseTemplates": props{
				"application/json": `{"status":"fail","data":{"errors":[{"field":"Authorization","message":"invalid token"}]}}`,
			}},
	)
}

func TestSSOHandlerIsLeastPrivilege(t *testing.T) {
	var role string
	for id, fn := range resources("AWS::Lambda::Function") {
		if strings.HasPrefix(id, "SsoFunction") {
			role = strings.TrimSuffix(ref(fn["Role"]), ".Arn")
		}
	}
	if role == "" {
		t.Fatal("no SSO function")
	}
	var actionsSeen []string
	for _, p := range resources("AWS::IAM::Policy") {
		roles, _ := json.Marshal(p["Roles"])
		if !strings.Contains(string(roles), role) {
			continue
		}
		for _, st := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			s := st.(map[string]any)
			res, _ := json.Marshal(s["Resource"])
			if strings.Contains(string(res), `"*"`) {
				t.Errorf("SSO statement on every resource: %v", s)
			}
			actionsSeen = append(actionsSeen, fmt.Sprint(s["Action"]))
		}
	}
	sort.Strings(actionsSeen)
	joined := strings.Join(actionsSeen, " ")
	// Its sts:AssumeRole (the read-only IDC hop, nothing else) is granted
	// where the hops are made: stacks.TestComputeHopRoles.
	for _, want := range []string{"secretsmanager:GetSecretValue", "kms:Decrypt", "kms:Sign", "ssm:GetParameter", "appconfig:GetLatestConfiguration"} {
		if !strings.Contains(joined, want) {
			t.Errorf("SSO role lacks %s: %s", want, joined)
		}
	}
	if strings.Contains(joined, "identitystore:") {
		t.Errorf("the SSO role reads the Identity Store directly; it must go through the IDC role: %s", joined)
	}
	// One-time sign-in and logout: a conditional put and a read, nothing
	// that could scan or delete.
	if !strings.Contains(joined, "[dynamodb:GetItem dynamodb:PutItem]") || strings.Count(joined, "dynamodb:") != 2 {
		t.Errorf("SSO role's table actions are not exactly GetItem and PutItem: %s", joined)
	}
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), props{
		"Environment": props{
			"Variables": assertions.Match_ObjectLike(
				&map[string]any{names.EnvIdcConfigParam: assertions.Match_AnyValue(),
					names.EnvSessionTable: props{"Ref": sessionsTable}},
			),
		},
	})
	tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), props{
		"Name": "isb-test-IdpMetadata", "SecretString": IdpMetadataPlaceholder, "KmsKeyId": assertions.Match_AnyValue(),
	})
}
