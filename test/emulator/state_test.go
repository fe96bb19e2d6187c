package emulator_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	cmdemu "github.com/isb-go/isb/cmd/emulator"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/test/emulator"
)

// startKept starts a launcher of its own that keeps its state in file.
func startKept(t *testing.T, file string) (*cmdemu.Server, aws.Config) {
	t.Helper()
	srv, err := cmdemu.StartWith(t.Context(), cmdemu.Options{StateFile: file})
	if err != nil {
		t.Fatalf("start the emulator with state %s: %v", file, err)
	}
	t.Cleanup(srv.Stop)
	cfg, err := awscfg.Load(t.Context(), awscfg.Options{Region: emulator.Region, Endpoint: srv.URL(),
		StaticKey: "test", StaticSecret: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return srv, cfg
}

// kept is what the test creates before the save and checks after the
// restart, one service at a time.
type kept struct {
	accountID, queueURL, keyID, execution string
	signature                             []byte
}

func TestAStateSavedBeforeACrashIsWhatTheNextStartFinds(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emulator.state")
	srv, cfg := startKept(t, file)
	ctx := t.Context()
	var none struct{}
	if restored, err := srv.RestoredState(ctx, &none); err != nil || restored {
		t.Fatalf("a first start restored a state (%v, %v)", restored, err)
	}
	k := populate(t, cfg)
	type record struct{ Note string }
	if err := srv.SaveState(ctx, record{Note: "saved"}); err != nil {
		t.Fatalf("save: %v\n%s", err, srv.Log(4096))
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v, %v; want it readable by its owner only", info, err)
	}
	// Written after the save and lost in the crash.
	putKept(t, cfg, "after the save")
	srv.Crash()

	srv, cfg = startKept(t, file)
	var got record
	if restored, err := srv.RestoredState(ctx, &got); err != nil || !restored || got.Note != "saved" {
		t.Fatalf("restored = %v, record %+v, err %v; want the saved record", restored, got, err)
	}
	checks := []struct {
		name  string
		check func(context.Context, aws.Config, kept) error
	}{
		{"the organization keeps its account", hasAccount},
		{"the table has the item written before the save and not the one after", hasItemsSavedOnly},
		{"the queue keeps its unread message", hasMessage},
		{"the KMS key verifies its old signature and still signs", keySigns},
		{"the secret keeps its value", hasSecret},
		{"the SSM parameter keeps its value", hasParameter},
		{"the IAM role keeps its AWS managed policy", hasRolePolicy},
		{"the sent mail is still listed", hasSentMail(srv)},
		{"a running execution is aborted, its state machine kept", executionAborted},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if err := c.check(ctx, cfg, k); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestAStateFileOfAnotherFormatIsRefusedWithAMessage(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string
	}{
		{"another format's header", `{"format":"isb-moto-state/0"}` + "\n...",
			[]string{`"isb-moto-state/0"`, cmdemu.StateFormat, "start fresh"}},
		{"no header at all", "garbage", []string{`"unknown"`, cmdemu.StateFormat}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "emulator.state")
			if err := os.WriteFile(file, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			srv, err := cmdemu.StartWith(t.Context(), cmdemu.Options{StateFile: file})
			if err == nil {
				srv.Stop()
				t.Fatal("started from a state file of another format")
			}
			if !errors.Is(err, cmdemu.ErrStateFormat) {
				t.Errorf("error is not ErrStateFormat: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q: %v", w, err)
				}
			}
		})
	}
}

func TestADamagedStateFileStopsTheStartWithTheLaunchersReason(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emulator.state")
	if err := os.WriteFile(file, []byte(`{"format":"`+cmdemu.StateFormat+`","moto":"5.2.1"}`+"\nnot a pickle"),
		0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := cmdemu.StartWith(t.Context(), cmdemu.Options{StateFile: file})
	if err == nil {
		srv.Stop()
		t.Fatal("started from a damaged state file")
	}
	for _, w := range []string{"cannot be loaded", "cannot read the emulator state", "start fresh"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q: %v", w, err)
		}
	}
}

const waitingMachine = `{"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":3600,"End":true}}}`

func populate(t *testing.T, cfg aws.Config) kept {
	t.Helper()
	ctx := t.Context()
	var k kept
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{
		FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	acc, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("kept"),
		Email: aws.String("kept@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	k.accountID = aws.ToString(acc.CreateAccountStatus.AccountId)

	db := dynamodb.NewFromConfig(cfg)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("kept"),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		KeySchema:   []ddbtypes.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: ddbtypes.KeyTypeHash}},
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("k"),
			AttributeType: ddbtypes.ScalarAttributeTypeS}}}); err != nil {
		t.Fatal(err)
	}
	putKept(t, cfg, "before the save")

	q := sqs.NewFromConfig(cfg)
	k.queueURL, _ = createQueue(t, q, "kept")
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(k.queueURL),
		MessageBody: aws.String("unread")}); err != nil {
		t.Fatal(err)
	}

	keys := kms.NewFromConfig(cfg)
	key, err := keys.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecEccNistP256,
		KeyUsage: kmstypes.KeyUsageTypeSignVerify})
	if err != nil {
		t.Fatal(err)
	}
	k.keyID = aws.ToString(key.KeyMetadata.KeyId)
	sig, err := keys.Sign(ctx, &kms.SignInput{KeyId: aws.String(k.keyID), Message: []byte("kept"),
		SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		t.Fatal(err)
	}
	k.signature = sig.Signature

	if _, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("kept"), SecretString: aws.String("s3cret")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ssm.NewFromConfig(cfg).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/kept"),
		Value: aws.String("value"), Type: "String"}); err != nil {
		t.Fatal(err)
	}
	roles := iam.NewFromConfig(cfg)
	if _, err := roles.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("kept"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := roles.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("kept"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}

	ses := sesv2.NewFromConfig(cfg)
	if _, err := ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String("pool@example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ses.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("pool@example.com"),
		Destination: &sestypes.Destination{ToAddresses: []string{"user@example.com"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("kept")},
			Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("kept")}}}}}); err != nil {
		t.Fatal(err)
	}

	machines := sfn.NewFromConfig(cfg)
	arn := createStateMachine(t, machines, "kept", waitingMachine)
	exec, err := machines.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	k.execution = aws.ToString(exec.ExecutionArn)
	return k
}

func putKept(t *testing.T, cfg aws.Config, key string) {
	t.Helper()
	if _, err := dynamodb.NewFromConfig(cfg).PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String("kept"),
		Item: map[string]ddbtypes.AttributeValue{"k": &ddbtypes.AttributeValueMemberS{Value: key}}}); err != nil {
		t.Fatal(err)
	}
}

func hasAccount(ctx context.Context, cfg aws.Config, k kept) error {
	out, err := organizations.NewFromConfig(cfg).DescribeAccount(ctx,
		&organizations.DescribeAccountInput{AccountId: aws.String(k.accountID)})
	if err != nil {
		return err
	}
	if aws.ToString(out.Account.Name) != "kept" {
		return errors.New("account name " + aws.ToString(out.Account.Name))
	}
	return nil
}

func hasItemsSavedOnly(ctx context.Context, cfg aws.Config, _ kept) error {
	out, err := dynamodb.NewFromConfig(cfg).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("kept")})
	if err != nil {
		return err
	}
	var keys []string
	for _, it := range out.Items {
		keys = append(keys, it["k"].(*ddbtypes.AttributeValueMemberS).Value)
	}
	if strings.Join(keys, ",") != "before the save" {
		return errors.New("items " + strings.Join(keys, ","))
	}
	return nil
}

func hasMessage(ctx context.Context, cfg aws.Config, k kept) error {
	out, err := sqs.NewFromConfig(cfg).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(k.queueURL)})
	if err != nil {
		return err
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "unread" {
		return errors.New("the unread message is gone")
	}
	return nil
}

func keySigns(ctx context.Context, cfg aws.Config, k kept) error {
	keys := kms.NewFromConfig(cfg)
	v, err := keys.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(k.keyID), Message: []byte("kept"),
		Signature: k.signature, SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		return err
	}
	if !v.SignatureValid {
		return errors.New("the signature made before the save no longer verifies")
	}
	_, err = keys.Sign(ctx, &kms.SignInput{KeyId: aws.String(k.keyID), Message: []byte("again"),
		SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	return err
}

func hasSecret(ctx context.Context, cfg aws.Config, _ kept) error {
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx,
		&secretsmanager.GetSecretValueInput{SecretId: aws.String("kept")})
	if err != nil {
		return err
	}
	if aws.ToString(out.SecretString) != "s3cret" {
		return errors.New("secret " + aws.ToString(out.SecretString))
	}
	return nil
}

func hasParameter(ctx context.Context, cfg aws.Config, _ kept) error {
	out, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/kept")})
	if err != nil {
		return err
	}
	if aws.ToString(out.Parameter.Value) != "value" {
		return errors.New("parameter " + aws.ToString(out.Parameter.Value))
	}
	return nil
}

func hasRolePolicy(ctx context.Context, cfg aws.Config, _ kept) error {
	out, err := iam.NewFromConfig(cfg).ListAttachedRolePolicies(ctx,
		&iam.ListAttachedRolePoliciesInput{RoleName: aws.String("kept")})
	if err != nil {
		return err
	}
	if len(out.AttachedPolicies) != 1 || aws.ToString(out.AttachedPolicies[0].PolicyName) != "AdministratorAccess" {
		return errors.New("the role lost its AdministratorAccess policy")
	}
	return nil
}

func hasSentMail(srv *cmdemu.Server) func(context.Context, aws.Config, kept) error {
	return func(ctx context.Context, _ aws.Config, _ kept) error {
		sent, err := srv.SentEmails(ctx, defaultAccount, emulator.Region)
		if err != nil {
			return err
		}
		if len(sent) != 1 || sent[0].Subject != "kept" {
			return errors.New("the sent mail is not listed")
		}
		return nil
	}
}

func executionAborted(ctx context.Context, cfg aws.Config, k kept) error {
	out, err := sfn.NewFromConfig(cfg).DescribeExecution(ctx,
		&sfn.DescribeExecutionInput{ExecutionArn: aws.String(k.execution)})
	if err != nil {
		return err
	}
	if out.Status != sfntypes.ExecutionStatusAborted {
		return errors.New("execution " + string(out.Status))
	}
	return nil
}
