//lint:file-ignore SA1019 assertions.Annotations returns cxapi.SynthesisMessage; the Go bindings offer no other type

package api_test

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/infra/internal/api"
	"github.com/isb-go/isb/infra/internal/config"
)

const poolParamArn = "arn:aws:ssm:us-east-1:222222222222:parameter/isb-test-AccountPoolConfig"
const idcParamArn = "arn:aws:ssm:us-east-1:333333333333:parameter/isb-test-IdcConfig"

// synth builds a stack holding only the functions construct and the
// resources it is given, synthesizes it and returns its template.
func synth(t *testing.T) (map[string]any, assertions.Template, assertions.Annotations, string) {
	t.Helper()
	os.Setenv("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
	tmp := t.TempDir()
	assets := filepath.Join(tmp, "lambda")
	for _, name := range append(slices.Collect(mapsValues(api.FunctionName)), names.LambdaOutboxRelay) {
		writeFakeAsset(t, filepath.Join(assets, name))
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(tmp, "cdk.out"))})
	stack := awscdk.NewStack(app, jsii.String("Functions"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	table := func(id string) awsdynamodb.ITable {
		tbl := awsdynamodb.NewTable(stack, jsii.String(id), &awsdynamodb.TableProps{
			PartitionKey: &awsdynamodb.Attribute{
				Name: jsii.String("pk"),
				Type: awsdynamodb.AttributeType_STRING,
			},
			BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
			Encryption:    awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
			EncryptionKey: key,
			PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
				PointInTimeRecoveryEnabled: jsii.Bool(true),
			},
		})
		// The real tables have a status index; grants then cover <arn>/index/*.
		tbl.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName: jsii.String(names.StatusIndex),
			PartitionKey: &awsdynamodb.Attribute{
				Name: jsii.String(names.AttrStatus),
				Type: awsdynamodb.AttributeType_STRING,
			},
		})
		return tbl
	}
	bus := awsevents.NewEventBus(
		stack,
		jsii.String("Bus"),
		&awsevents.EventBusProps{EventBusName: jsii.String("isb-test-Events")},
	)
	jwt := awssecretsmanager.NewSecret(stack, jsii.String("Jwt"), &awssecretsmanager.SecretProps{EncryptionKey: key})
	cdknag.NagSuppressions_AddResourceSuppressions(
		jwt,
		&[]*cdknag.NagPackSuppression{
			{Id: jsii.String("AwsSolutions-SMG4"), Reason: jsii.String("test fixture, not under test")},
		},
		nil,
	)
	reader := api.NewConfigReader(stack, "ConfigExtension", &api.ConfigReadProps{
		Namespace: "test", Region: "us-east-1", ApplicationID: "app1234", EnvironmentID: "env1234",
		ProfileIDs: []string{"glob123", "rep1234"},
	})
	api.NewFunctions(stack, "Api", &api.FunctionsProps{
		Namespace: "test", AssetDir: assets,
		Tables: api.Tables{
			Leases:    table("Leases"),
			Accounts:  table("Accounts"),
			Templates: table("Templates"),
			Outbox:    table("Outbox"),
			Sessions:  table("Sessions"),
		},
		Bus: bus, JwtSecret: jwt, Key: key, Config: reader,
		AccountPoolParamArn: poolParamArn, IdcConfigParamArn: idcParamArn,
		HubAccountID: "111111111111", IdcAccountID: "333333333333", LogRetentionDays: 90, Mode: config.ModeDev,
	})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	asm := app.Synth(nil)
	tpl := assertions.Template_FromStack(stack, nil)
	var raw map[string]any
	b, err := json.Marshal(tpl.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(b, &raw)
	return raw, tpl, assertions.Annotations_FromStack(stack), filepath.Join(*asm.Directory(), "Functions.template.json")
}

func mapsValues(m map[routes.Family]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

func writeFakeAsset(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "bootstrap.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("bootstrap")
	_, _ = w.Write([]byte("#!/bin/sh\n"))
	_ = zw.Close()
	_ = f.Close()
}

func TestFunctions(t *testing.T) {
	raw, tpl, ann, file := synth(t)
	resources := raw["Resources"].(map[string]any)
	functions := map[string]map[string]any{}
	for id, r := range resources {
		r := r.(map[string]any)
		if r["Type"] == "AWS::Lambda::Function" {
			functions[id] = r["Properties"].(map[string]any)
		}
	}
	envOf := func(prefix string) map[string]any {
		t.Helper()
		for id, p := range functions {
			if strings.HasPrefix(id, prefix) {
				return p["Environment"].(map[string]any)["Variables"].(map[string]any)
			}
		}
		t.Fatalf("no function %s*", prefix)
		return nil
	}

	t.Run("four handlers and the relay run arm64 on provided.al2023 within 128-256 MB", func(t *testing.T) {
		if len(functions) != 5 {
			t.Fatalf("%d functions, want 5", len(functions))
		}
		for id, p := range functions {
			mem := p["MemorySize"].(float64)
			if p["Runtime"] != "provided.al2023" || p["Architectures"].([]any)[0] != "arm64" || mem < 128 || mem > 256 {
				t.Errorf("%s: %v %v %v", id, p["Runtime"], p["Architectures"], mem)
			}
		}
	})
	t.Run("every handler runs the AppConfig extension prefetching both profiles", func(t *testing.T) {
		for id, p := range functions {
			if strings.HasPrefix(id, "ApiOutboxRelay") {
				continue
			}
			layers := fmt.Sprint(p["Layers"])
			env := p["Environment"].(map[string]any)["Variables"].(map[string]any)
			if !strings.Contains(layers, "AWS-AppConfig-Extension-Arm64") ||
				!strings.Contains(fmt.Sprint(env["AWS_APPCONFIG_EXTENSION_PREFETCH_LIST"]), names.GlobalConfigProfile) {
				t.Errorf("%s: layers %s env %v", id, layers, env)
			}
		}
	})
	t.Run("the accounts handler knows the pool parameter and the protected accounts", func(t *testing.T) {
		env := envOf("Apiaccounts")
		if env[names.EnvAccountPoolParam] != poolParamArn || env[names.EnvHubAccountID] != "111111111111" ||
			env[names.EnvIdcAccountID] != "333333333333" {
			t.Fatalf("env = %v", env)
		}
	})
	t.Run("the accounts handler knows the IDC parameter, to revoke access on eject", func(t *testing.T) {
		if env := envOf("Apiaccounts"); env[names.EnvIdcConfigParam] != idcParamArn {
			t.Fatalf("env = %v", env)
		}
	})
	t.Run("the configurations handler has no table", func(t *testing.T) {
		if _, ok := envOf("Apiconfigurations")[names.EnvLeaseTable]; ok {
			t.Fatal("the configurations handler was given the lease table")
		}
	})
	t.Run("every handler checks revoked tokens with one GetItem on the Sessions table", func(t *testing.T) {
		for id, p := range functions {
			if strings.HasPrefix(id, "ApiOutboxRelay") {
				continue
			}
			env := p["Environment"].(map[string]any)["Variables"].(map[string]any)
			if fmt.Sprint(env[names.EnvSessionTable]) != fmt.Sprint(map[string]any{"Ref": sessionsID(resources)}) {
				t.Errorf("%s: %s = %v", id, names.EnvSessionTable, env[names.EnvSessionTable])
			}
		}
		readers := 0
		for policy, sts := range policyStatements(resources) {
			for _, st := range sts {
				res := fmt.Sprint(st["Resource"])
				if !strings.Contains(res, sessionsID(resources)) ||
					!strings.Contains(fmt.Sprint(st["Action"]), "dynamodb:") {
					continue
				}
				if fmt.Sprint(st["Action"]) != "dynamodb:GetItem" {
					t.Errorf("%s may %v on the Sessions table, want only GetItem", policy, st["Action"])
				}
				readers++
			}
		}
		if readers != 4 {
			t.Errorf("%d handler policies read the Sessions table, want 4", readers)
		}
	})
	t.Run("no handler may assume a role by itself: the Compute stack's hops grant that", func(t *testing.T) {
		statements := policyStatements(resources)
		for policy, sts := range statements {
			for _, st := range sts {
				// Which handler reaches which account is one table, where the
				// hop roles are made (stacks.TestComputeHopRoles).
				if strings.Contains(fmt.Sprint(st["Action"]), "sts:AssumeRole") {
					t.Errorf("%s may assume %v", policy, st["Resource"])
				}
				// The accounts handler also reads the IDC parameter (eject
				// revokes access); every other handler only the pool's.
				wantParams := fmt.Sprint(poolParamArn)
				if strings.HasPrefix(policy, "Apiaccounts") {
					wantParams = fmt.Sprint([]any{poolParamArn, idcParamArn})
				}
				if strings.Contains(fmt.Sprint(st["Action"]), "ssm:GetParameter") &&
					fmt.Sprint(st["Resource"]) != wantParams {
					t.Errorf("%s reads parameters %v", policy, st["Resource"])
				}
				if fmt.Sprint(st["Action"]) == "*" || strings.HasSuffix(fmt.Sprint(st["Action"]), ":*") {
					t.Errorf("%s grants %v", policy, st["Action"])
				}
			}
		}
	})
	t.Run("the outbox is swept every minute with one relay at a time", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::Scheduler::Schedule"), map[string]any{
			"ScheduleExpression": api.OutboxSweepSchedule,
			"FlexibleTimeWindow": map[string]any{"Mode": "OFF"},
		})
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
			"ReservedConcurrentExecutions": 1,
			"Environment": map[string]any{
				"Variables": assertions.Match_ObjectLike(
					&map[string]any{names.EnvOutboxTable: assertions.Match_AnyValue()},
				),
			},
		})
	})
	t.Run("the page-token secret is KMS-encrypted", func(t *testing.T) {
		tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), map[string]any{
			"Name": names.Physical("test", names.PageTokenSecret), "KmsKeyId": assertions.Match_AnyValue(),
		})
	})
	t.Run("cdk-nag finds nothing unsuppressed", func(t *testing.T) {
		for _, msgs := range [][]string{nagMessages(ann, true), nagMessages(ann, false)} {
			for _, m := range msgs {
				t.Error(m)
			}
		}
	})
	t.Run("cfn-lint passes", func(t *testing.T) {
		if os.Getenv("ISB_SKIP_CFN_LINT") == "1" {
			t.Skip("ISB_SKIP_CFN_LINT=1")
		}
		bin, err := exec.LookPath("cfn-lint")
		if err != nil {
			t.Fatal("cfn-lint not found on PATH (pip install cfn-lint==1.51.0, or ISB_SKIP_CFN_LINT=1)")
		}
		if out, err := exec.Command(bin, "--ignore-checks", "W3005", "--", file).CombinedOutput(); err != nil {
			t.Errorf("cfn-lint failed (%v):\n%s", err, out)
		}
	})
}

func nagMessages(ann assertions.Annotations, errors bool) []string {
	match := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	found := ann.FindWarning(jsii.String("*"), match)
	if errors {
		found = ann.FindError(jsii.String("*"), match)
	}
	var out []string
	for _, m := range *found {
		s := fmt.Sprint(m.Entry.Data)
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
		out = append(out, *m.Id+": "+s)
	}
	return out
}

func policyStatements(resources map[string]any) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for id, r := range resources {
		r := r.(map[string]any)
		if r["Type"] != "AWS::IAM::Policy" {
			continue
		}
		doc := r["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, st := range doc["Statement"].([]any) {
			out[id] = append(out[id], st.(map[string]any))
		}
	}
	return out
}

// sessionsID is the logical id of the Sessions table stand-in.
func sessionsID(resources map[string]any) string {
	for id, r := range resources {
		if r.(map[string]any)["Type"] == "AWS::DynamoDB::Table" && strings.HasPrefix(id, "Sessions") {
			return id
		}
	}
	return "no Sessions table"
}
