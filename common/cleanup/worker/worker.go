// Package worker starts the cleanup build: it takes the state machine's
// build requests from the build queue and starts the CodeBuild project
// with the account and the task token; the build (isb-cleaner) answers the
// token when it ends. Local mode runs this worker too, against a CodeBuild
// stand-in (package localrun).
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/names"
)

// CodeBuild is the one CodeBuild call the worker makes.
type CodeBuild interface {
	StartBuild(
		ctx context.Context,
		in *codebuild.StartBuildInput,
		opts ...func(*codebuild.Options),
	) (*codebuild.StartBuildOutput, error)
}

// Queue is the one SQS call the worker makes: putting a request back.
type Queue interface {
	SendMessage(
		ctx context.Context,
		in *sqs.SendMessageInput,
		opts ...func(*sqs.Options),
	) (*sqs.SendMessageOutput, error)
}

// Delays of a request refused by CodeBuild's concurrent-build quota.
const (
	// DefaultQuotaBackoff is the first wait after a refusal.
	DefaultQuotaBackoff = 30 * time.Second
	// MaxQuotaDelay is SQS's largest message delay.
	MaxQuotaDelay = 900 * time.Second
)

// Worker starts one build per request.
type Worker struct {
	CodeBuild CodeBuild
	Project   string
	// Queue and QueueURL are the build queue, where a request refused by
	// the concurrent-build quota is put back to wait.
	Queue    Queue
	QueueURL string
	// QuotaBackoff is the first wait after a refusal (DefaultQuotaBackoff
	// when 0); each further refusal of the same request doubles it.
	QuotaBackoff time.Duration
	// Jitter returns a number in [0, 1) (rand.Float64 when nil).
	Jitter func() float64
	Log    *slog.Logger
}

// Handle starts a build for each message. A build refused because the
// account runs as many builds as its quota allows is not a failure: the
// request goes back to the queue with a delay and the message is taken,
// so its receive count never grows towards the DLQ and the cleanup is
// never counted as failed for it. Any other message whose build could not
// start is returned for a retry. The execution name is the idempotency
// token, so a message delivered twice within CodeBuild's five-minute
// window starts one build; a refused start starts none, so a re-sent
// request carries the same token.
func (w *Worker) Handle(ctx context.Context, e lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
	var resp lambdaevents.SQSEventResponse
	for _, m := range e.Records {
		if err := w.handle(ctx, m.Body); err != nil {
			w.Log.ErrorContext(ctx, "cleanup build not started", "message_id", m.MessageId, "error", err)
			resp.BatchItemFailures = append(
				resp.BatchItemFailures,
				lambdaevents.SQSBatchItemFailure{ItemIdentifier: m.MessageId},
			)
		}
	}
	return resp, nil
}

func (w *Worker) handle(ctx context.Context, body string) error {
	var req cleanup.BuildRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil || req.TaskToken == "" || req.AccountID == "" {
		return fmt.Errorf("not a build request: %v", err)
	}
	err := w.start(ctx, req)
	var quota *cbtypes.AccountLimitExceededException
	if !errors.As(err, &quota) {
		return err
	}
	return w.wait(ctx, req)
}

// wait puts req back on the queue, delayed by QuotaDelay.
func (w *Worker) wait(ctx context.Context, req cleanup.BuildRequest) error {
	req.QuotaWaits++
	jitter := w.Jitter
	if jitter == nil {
		jitter = rand.Float64
	}
	delay := QuotaDelay(req.QuotaWaits, w.QuotaBackoff, jitter())
	b, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encode build request for account %s: %w", req.AccountID, err)
	}
	if _, err := w.Queue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(w.QueueURL),
		MessageBody: aws.String(string(b)), DelaySeconds: int32(delay / time.Second)}); err != nil {
		return fmt.Errorf("CodeBuild's build quota is reached and the build request for account %s "+
			"could not be put back: %w", req.AccountID, err)
	}
	w.Log.WarnContext(ctx, "CodeBuild's concurrent-build quota is reached; the cleanup waits",
		"account_id", req.AccountID, "execution", req.ExecutionName, "waits", req.QuotaWaits,
		"delay_seconds", int(delay/time.Second))
	return nil
}

// QuotaDelay is how long a request refused for the waits-th time waits:
// base doubled for each earlier refusal, capped at MaxQuotaDelay, of which
// a random half (jitter in [0, 1)) is taken off so that requests refused
// together do not come back together. Never under a second.
func QuotaDelay(waits int, base time.Duration, jitter float64) time.Duration {
	if base <= 0 {
		base = DefaultQuotaBackoff
	}
	d := base
	for i := 1; i < waits && d < MaxQuotaDelay; i++ {
		d *= 2
	}
	d = min(d, MaxQuotaDelay)
	d -= time.Duration(float64(d/2) * min(max(jitter, 0), 1))
	return max(d.Round(time.Second), time.Second)
}

func (w *Worker) start(ctx context.Context, req cleanup.BuildRequest) error {
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
