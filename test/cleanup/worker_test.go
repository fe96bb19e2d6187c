package cleanup_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/cleanup/worker"
	"github.com/isb-go/isb/test/emulator"
)

func TestWorkerStartsOneBuildPerRequestAndReturnsTheBadOnes(t *testing.T) {
	cfg := emulator.Config(t)
	ctx := t.Context()
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("cleanup-build"),
		AssumeRolePolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		)})
	if err != nil {
		t.Fatal(err)
	}
	cb := codebuild.NewFromConfig(cfg)
	if _, err := cb.CreateProject(ctx, &codebuild.CreateProjectInput{
		Name: aws.String("isb-test-Cleanup"), ServiceRole: role.Role.Arn,
		Source:    &cbtypes.ProjectSource{Type: cbtypes.SourceTypeS3, Location: aws.String("assets/cleaner.zip")},
		Artifacts: &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeNoArtifacts},
		Environment: &cbtypes.ProjectEnvironment{Type: cbtypes.EnvironmentTypeLinuxContainer,
			ComputeType: cbtypes.ComputeTypeBuildGeneral1Small, Image: aws.String("aws/codebuild/standard:7.0")},
	}); err != nil {
		t.Fatalf("create project: %v", err)
	}
	body, _ := json.Marshal(
		cleanup.BuildRequest{
			TaskToken:     "token-1",
			AccountID:     sandboxAccount,
			Reason:        "LEASE_TERMINATION",
			ExecutionName: "exec-1",
		},
	)
	var logs strings.Builder
	w := &worker.Worker{CodeBuild: cb, Project: "isb-test-Cleanup", Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	}()
	resp, err := w.Handle(ctx, lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{
		{MessageId: "good", Body: string(body)},
		{MessageId: "bad", Body: `{"accountId":"` + sandboxAccount + `"}`},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "bad" {
		t.Errorf("batch failures = %+v, want only the message without a task token", resp.BatchItemFailures)
	}
	builds, err := cb.ListBuildsForProject(
		ctx,
		&codebuild.ListBuildsForProjectInput{ProjectName: aws.String("isb-test-Cleanup")},
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(builds.Ids) != 1 {
		t.Errorf("builds = %v, want one", builds.Ids)
	}
}
