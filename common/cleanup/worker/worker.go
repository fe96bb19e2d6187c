// Package worker starts the cleanup build: it takes the state machine's
// build requests from the build queue and starts the CodeBuild project
// with the account and the task token; the build (isb-cleaner) answers the
// token when it ends. It is the AWS counterpart of package localrun.
package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"

	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/names"
)

// CodeBuild is the one call the worker makes.
type CodeBuild interface {
	StartBuild(
		ctx context.Context,
		in *codebuild.StartBuildInput,
		opts ...func(*codebuild.Options),
	) (*codebuild.StartBuildOutput, error)
}

// Worker starts one build per request.
type Worker struct {
	CodeBuild CodeBuild
	Project   string
	Log       *slog.Logger
}

// Handle starts a build for each message; a message whose build could not
// start is returned for a retry. The execution name is the idempotency
// token, so a message delivered twice within CodeBuild's five-minute
// window starts one build.
func (w *Worker) Handle(ctx context.Context, e lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
	var resp lambdaevents.SQSEventResponse
	for _, m := range e.Records {
		if err := w.start(ctx, m.Body); err != nil {
			w.Log.ErrorContext(ctx, "cleanup build not started", "message_id", m.MessageId, "error", err)
			resp.BatchItemFailures = append(
				resp.BatchItemFailures,
				lambdaevents.SQSBatchItemFailure{ItemIdentifier: m.MessageId},
			)
		}
	}
	return resp, nil
}

func (w *Worker) start(ctx context.Context, body string) error {
	var req cleanup.BuildRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil || req.TaskToken == "" || req.AccountID == "" {
		return fmt.Errorf("not a build request: %v", err)
	}
	out, err := w.CodeBuild.StartBuild(ctx, &codebuild.StartBuildInput{
		ProjectName:      aws.String(w.Project),
		IdempotencyToken: aws.String(req.ExecutionName),
		EnvironmentVariablesOverride: []cbtypes.EnvironmentVariable{
			{
				Name:  aws.String(names.EnvCleanupAccountID),
				Value: aws.String(req.AccountID),
				Type:  cbtypes.EnvironmentVariableTypePlaintext,
			},
			{
				Name:  aws.String(names.EnvCleanupTaskToken),
				Value: aws.String(req.TaskToken),
				Type:  cbtypes.EnvironmentVariableTypePlaintext,
			},
		},
	})
	if err != nil {
		return fmt.Errorf("start build for account %s: %w", req.AccountID, err)
	}
	w.Log.InfoContext(ctx, "cleanup build started", "account_id", req.AccountID, "execution", req.ExecutionName,
		"build", aws.ToString(out.Build.Id))
	return nil
}
