package cleanup_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/cleanup/nuke"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/test/emulator"
)

const (
	namespace      = "test"
	hubAccount     = "123456789012" // moto's default account: plain credentials land here
	sandboxAccount = "210987654321"
	mgmtAccount    = "333333333333"
	idcAccount     = "444444444444"
	stackSetStack  = "StackSet-isb-test-SandboxAccount-0f1e2d3c"
)

// nukeBinary is the pinned aws-nuke that make test-cleaner builds.
func nukeBinary(t *testing.T) string {
	t.Helper()
	p := os.Getenv("ISB_AWS_NUKE")
	if p == "" {
		p = filepath.Join("..", "..", "build", "aws-nuke", "aws-nuke")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("aws-nuke binary %s: %v (run make aws-nuke, or set ISB_AWS_NUKE)", p, err)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func template(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "nuke-config", "nuke-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// asAccount returns a configuration acting in account through a role
// there, as an admin of that account would.
func asAccount(cfg aws.Config, account, role string) aws.Config {
	c := cfg.Copy()
	c.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg),
		"arn:aws:iam::"+account+":role/"+role))
	return c
}

func newCleaner(t *testing.T, cfg aws.Config, policy cleanup.Policy, out *bytes.Buffer) *nuke.Cleaner {
	return &nuke.Cleaner{
		Base: cfg, Namespace: namespace,
		Accounts: cleanup.Accounts{Hub: hubAccount, Management: mgmtAccount, IDC: idcAccount},
		Template: template(t), Policy: policy, Binary: nukeBinary(t),
		Endpoint: emulator.URL(), WorkDir: t.TempDir(), Output: out,
		Log: slog.New(slog.NewJSONHandler(out, nil)),
	}
}

// sandbox is what the platform and the organization put in every pool
// account, plus what a lessee created during the lease.
type sandbox struct {
	cfg aws.Config
}

func setUpSandbox(t *testing.T, hub aws.Config) sandbox {
	t.Helper()
	ctx := t.Context()
	cfg := asAccount(hub, sandboxAccount, "OrganizationAccountAccessRole")
	roles := iam.NewFromConfig(cfg)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + hubAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	admin := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	// Control plane: must survive. The StackSet's stack creates the
	// cleanup role, as the SandboxAccount stack does.
	cleanupRole := names.Physical(namespace, names.SandboxAccountRole)
	must(t, "create the StackSet's stack", func() error {
		_, err := cloudformation.NewFromConfig(cfg).CreateStack(ctx, &cloudformation.CreateStackInput{
			StackName: aws.String(stackSetStack),
			TemplateBody: aws.String(
				`{"Resources":{"CleanupRole":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"` + cleanupRole +
					`","AssumeRolePolicyDocument":` + trust + `}}}}`,
			),
		})
		return err
	})
	createRole := func(what string, r role, trust string) {
		t.Helper()
		must(t, what, func() error {
			_, err := roles.CreateRole(ctx, &iam.CreateRoleInput{
				RoleName: aws.String(r.name), Path: pathOf(r), AssumeRolePolicyDocument: aws.String(trust),
			})
			return err
		})
	}
	putPolicy := func(what, roleName, policyName, document string) {
		t.Helper()
		must(t, what, func() error {
			_, err := roles.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
				RoleName: aws.String(roleName), PolicyName: aws.String(policyName),
				PolicyDocument: aws.String(document),
			})
			return err
		})
	}
	attachPolicy := func(what, roleName, policyARN string) {
		t.Helper()
		must(t, what, func() error {
			_, err := roles.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
				RoleName: aws.String(roleName), PolicyArn: aws.String(policyARN),
			})
			return err
		})
	}
	for _, r := range append([]role{{name: cleanupRole}}, genuineRoles...) {
		if r.name != cleanupRole {
			createRole("create role "+r.path+r.name, r, trust)
		}
		putPolicy("put role policy "+r.name, r.name, "admin", admin)
	}
	// Backdoors: roles a lessee names like the control plane's, with
	// admin rights, trusting an outside account. aws-nuke must delete
	// every one, or it works during the next lessee's lease.
	outside := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}`
	for _, r := range lookAlikeRoles {
		createRole("create look-alike role "+r.path+r.name, r, outside)
		putPolicy("put look-alike role policy "+r.name, r.name, "admin", admin)
		attachPolicy("attach to look-alike role "+r.name, r.name, "arn:aws:iam::aws:policy/AdministratorAccess")
	}
	attachPolicy("attach policy to the cleanup role", names.Physical(namespace, names.SandboxAccountRole),
		"arn:aws:iam::aws:policy/AdministratorAccess")
	// The lessee role (the StackSet makes it) with its permissions and an
	// ended lease's revocation deny: all must survive the cleanup.
	lesseeRole := names.RoleName(namespace, names.LesseeRole)
	createRole("create the lessee role", role{name: lesseeRole}, trust)
	attachPolicy("attach policy to the lessee role", lesseeRole, "arn:aws:iam::aws:policy/AdministratorAccess")
	putPolicy("revoke the lessee role's sessions", lesseeRole, "RevokeOlderSessions",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",`+
			`"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}}}]}`)

	// A lessee's resources: must go.
	createRole("create lessee role", role{name: "lessee-app-role"}, trust)
	putPolicy("lessee role inline policy", "lessee-app-role", "app", admin)
	attachPolicy("lessee role managed policy", "lessee-app-role", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	buckets := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	must(t, "create lessee bucket", func() error {
		_, err := buckets.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lessee-data")})
		return err
	})
	must(t, "put an object", func() error {
		_, err := buckets.PutObject(
			ctx,
			&s3.PutObjectInput{
				Bucket: aws.String("lessee-data"),
				Key:    aws.String("a.txt"),
				Body:   strings.NewReader("hello"),
			},
		)
		return err
	})
	must(t, "create lessee queue", func() error {
		_, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("lessee-jobs")})
		return err
	})
	must(t, "create lessee table", func() error {
		_, err := dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName: aws.String("lessee-orders"), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{
				{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			},
			KeySchema: []ddbtypes.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			},
		})
		return err
	})
	must(t, "create lessee stack", func() error {
		_, err := cloudformation.NewFromConfig(cfg).CreateStack(ctx, &cloudformation.CreateStackInput{
			StackName: aws.String("lessee-stack"),
			TemplateBody: aws.String(
				`{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":"lessee-stack-queue"}}}}`,
			),
		})
		return err
	})
	return sandbox{cfg: cfg}
}

// role is an IAM role name and path ("" is the root path "/").
type role struct{ name, path string }

func pathOf(r role) *string {
	if r.path == "" {
		return nil
	}
	return aws.String(r.path)
}

// genuineStackSetsRole has the shape of the role service-managed StackSets
// create: "stacksets-exec-" and 32 hex digits, at the root path.
const genuineStackSetsRole = "stacksets-exec-899a82a2cb437e970934262f85c7628a"

// genuineRoles are the roles the organization, StackSets, IAM Identity
// Center and Control Tower put in every pool account: cleanup keeps them.
var genuineRoles = []role{
	{name: "OrganizationAccountAccessRole"},
	{name: genuineStackSetsRole},
	{name: "AWSReservedSSO_Admin_abc", path: "/aws-reserved/sso.amazonaws.com/"},
	{name: "AWSControlTowerExecution"},
	{name: "aws-controltower-ReadOnlyExecutionRole"},
}

// lookAlikeRoles copy each name pattern the cleanup used to keep roles by,
// at the root path and at others. (A copy of an exact kept name cannot
// exist beside the genuine role, names being unique in an account, and
// the protect-control-plane SCP denies creating one at any path.)
var lookAlikeRoles = []role{
	{name: "AWSReservedSSO_keep"},
	{name: "AWSReservedSSO_Admin_keep", path: "/sso.amazonaws.com/"},
	{name: "stacksets-exec-keep"},
	{name: "stacksets-exec-0123", path: "/x/"},
	{name: "aws-controltower-keep"},
	{name: "aws-controltower-AdminKeep", path: "/x/"},
	{name: "MyAWSControlTowerKeep"},
	{name: "OrganizationAccountAccessRole2"},
}

func must(t *testing.T, what string, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// inventory lists what the test looks at in the sandbox account.
type inventory struct {
	Roles, Buckets, Queues, Tables, Stacks []string
	RolePolicies                           map[string][]string
}

func (s sandbox) inventory(t *testing.T) inventory {
	t.Helper()
	ctx := t.Context()
	var inv inventory
	inv.RolePolicies = map[string][]string{}
	roles := iam.NewFromConfig(s.cfg)
	rl, err := roles.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatalf("list roles: %v", err)
	}
	for _, r := range rl.Roles {
		name := aws.ToString(r.RoleName)
		inv.Roles = append(inv.Roles, name)
		pl, err := roles.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: r.RoleName})
		if err != nil {
			t.Fatalf("list role policies: %v", err)
		}
		inv.RolePolicies[name] = append(inv.RolePolicies[name], pl.PolicyNames...)
		ap, err := roles.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
		if err != nil {
			t.Fatalf("list attached policies: %v", err)
		}
		for _, p := range ap.AttachedPolicies {
			inv.RolePolicies[name] = append(inv.RolePolicies[name], aws.ToString(p.PolicyName))
		}
	}
	bl, err := s3.NewFromConfig(s.cfg, func(o *s3.Options) { o.UsePathStyle = true }).
		ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("list buckets: %v", err)
	}
	for _, b := range bl.Buckets {
		inv.Buckets = append(inv.Buckets, aws.ToString(b.Name))
	}
	ql, err := sqs.NewFromConfig(s.cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatalf("list queues: %v", err)
	}
	for _, u := range ql.QueueUrls {
		inv.Queues = append(inv.Queues, u[strings.LastIndex(u, "/")+1:])
	}
	tl, err := dynamodb.NewFromConfig(s.cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	inv.Tables = tl.TableNames
	sl, err := cloudformation.NewFromConfig(s.cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
	if err != nil {
		t.Fatalf("describe stacks: %v", err)
	}
	for _, st := range sl.Stacks {
		if !strings.HasPrefix(string(st.StackStatus), "DELETE_") {
			inv.Stacks = append(inv.Stacks, aws.ToString(st.StackName))
		}
	}
	for _, l := range [][]string{inv.Roles, inv.Buckets, inv.Queues, inv.Tables, inv.Stacks} {
		slices.Sort(l)
	}
	for _, l := range inv.RolePolicies {
		slices.Sort(l)
	}
	return inv
}

func TestRealAwsNukeDeletesWhatTheLesseeCreatedAndKeepsTheControlPlane(t *testing.T) {
	hub := emulator.Config(t)
	sb := setUpSandbox(t, hub)
	// Something in the hub account, which aws-nuke must never see.
	hubBuckets := s3.NewFromConfig(hub, func(o *s3.Options) { o.UsePathStyle = true })
	must(t, "create hub bucket", func() error {
		_, err := hubBuckets.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("hub-state")})
		return err
	})

	before := sb.inventory(t)
	for _, want := range []string{"lessee-app-role", names.Physical(namespace, names.SandboxAccountRole)} {
		if !slices.Contains(before.Roles, want) {
			t.Fatalf("setup: role %s missing before the cleanup: %v", want, before.Roles)
		}
	}

	var out bytes.Buffer
	c := newCleaner(t, hub, cleanup.Policy{SuccessesNeeded: 2, FailuresAllowed: 3, PassTimeout: 3 * time.Minute}, &out)
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	res, err := c.Clean(ctx, sandboxAccount)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("cleaner and aws-nuke output:\n%s", tail(out.String(), 12000))
		}
	})
	if err != nil {
		t.Fatalf("Clean: %v", err)
	}
	if !res.Succeeded || res.Passes != 2 {
		t.Errorf("Clean = %+v, want success after two clean passes", res)
	}

	after := sb.inventory(t)
	t.Logf("before: %+v", before)
	t.Logf("after:  %+v", after)
	wantRoles := []string{names.Physical(namespace, names.SandboxAccountRole),
		names.RoleName(namespace, names.LesseeRole)}
	for _, r := range genuineRoles {
		wantRoles = append(wantRoles, r.name)
	}
	slices.Sort(wantRoles)
	for _, r := range lookAlikeRoles {
		if !slices.Contains(before.Roles, r.name) {
			t.Fatalf("setup: look-alike role %s missing before the cleanup: %v", r.name, before.Roles)
		}
	}
	checks := []struct {
		what      string
		got, want []string
	}{
		{"roles (the lessee's deleted, the control plane's kept)", after.Roles, wantRoles},
		{
			"cleanup role policies kept",
			after.RolePolicies[names.Physical(namespace, names.SandboxAccountRole)],
			[]string{"AdministratorAccess", "admin"},
		},
		{
			"lessee role policies kept, the revocation deny with them",
			after.RolePolicies[names.RoleName(namespace, names.LesseeRole)],
			[]string{"AdministratorAccess", "RevokeOlderSessions"},
		},
		{
			"OrganizationAccountAccessRole policies kept",
			after.RolePolicies["OrganizationAccountAccessRole"],
			[]string{"admin"},
		},
		{"the StackSets role's policies kept", after.RolePolicies[genuineStackSetsRole], []string{"admin"}},
		{"the Identity Center role's policies kept", after.RolePolicies["AWSReservedSSO_Admin_abc"], []string{"admin"}},
		{"Control Tower role policies kept", after.RolePolicies["AWSControlTowerExecution"], []string{"admin"}},
		{"buckets", after.Buckets, nil},
		{"queues", after.Queues, nil},
		{"tables", after.Tables, nil},
		{"stacks (the lessee's deleted, the StackSet's kept)", after.Stacks, []string{stackSetStack}},
	}
	for _, c := range checks {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	if _, err := hubBuckets.HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String("hub-state")}); err != nil {
		t.Errorf("the hub account's bucket is gone: %v", err)
	}
	t.Logf("aws-nuke removals:\n%s", removals(out.String()))
	if !strings.Contains(out.String(), `"msg":"cleanup finished"`) {
		t.Errorf("the cleaner logged no JSON progress line")
	}
}

func TestCleanerRefusesThePlatformsOwnAccounts(t *testing.T) {
	hub := emulator.Config(t)
	var out bytes.Buffer
	c := newCleaner(t, hub, cleanup.Policy{SuccessesNeeded: 1, FailuresAllowed: 1, PassTimeout: time.Minute}, &out)
	_, err := c.Clean(t.Context(), hubAccount)
	if err == nil || !strings.Contains(err.Error(), "platform's own accounts") {
		t.Errorf("Clean(hub account) error = %v, want a refusal to clean the platform's own accounts", err)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// removals picks aws-nuke's "removed" lines out of its JSON log.
func removals(log string) string {
	var b strings.Builder
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, `"removed"`) || strings.Contains(line, `"msg":"removed"`) {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
