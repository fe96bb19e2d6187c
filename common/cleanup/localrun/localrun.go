// Package localrun is the local runner of the cleanup state machine: on
// the emulator nothing runs CodeBuild, so the runner takes the build
// requests the state machine sends to the build queue, runs the cleaner
// in this process and answers the task token, as the CodeBuild build does
// on AWS.
package localrun

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/sfnrun"
)

// Queue is the SQS calls the runner makes.
type Queue interface {
	ReceiveMessage(
		ctx context.Context,
		in *sqs.ReceiveMessageInput,
		opts ...func(*sqs.Options),
	) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(
		ctx context.Context,
		in *sqs.DeleteMessageInput,
		opts ...func(*sqs.Options),
	) (*sqs.DeleteMessageOutput, error)
}

// CleanFunc cleans one account (nuke.Cleaner.Clean in practice).
type CleanFunc func(ctx context.Context, accountID string) (cleanup.Result, error)

// Runner answers build requests from one queue.
type Runner struct {
	Queue    Queue
	QueueURL string
	SFN      cleanup.TaskAnswerer
	Clean    CleanFunc
	Log      *slog.Logger
}

// New returns a runner over the build queue.
func New(q *sqs.Client, queueURL string, s *sfn.Client, clean CleanFunc, log *slog.Logger) *Runner {
	return &Runner{Queue: q, QueueURL: queueURL, SFN: sfnrun.New(s), Clean: clean, Log: log}
}

// RunOnce handles the build requests waiting now (long-polling up to
// waitSeconds for the first) and returns how many it handled.
func (r *Runner) RunOnce(ctx context.Context, waitSeconds int32) (int, error) {
	out, err := r.Queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(r.QueueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds,
	})
	if err != nil {
		return 0, fmt.Errorf("receive build requests: %w", err)
	}
	for _, m := range out.Messages {
		var req cleanup.BuildRequest
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &req); err != nil || req.TaskToken == "" ||
			req.AccountID == "" {
			return 0, fmt.Errorf(
				"build request %s is not one: %v: %s",
				aws.ToString(m.MessageId),
				err,
				aws.ToString(m.Body),
			)
		}
		log := r.Log.With("account_id", req.AccountID, "execution", req.ExecutionName)
		log.InfoContext(ctx, "local runner: cleaning")
		res, cleanErr := r.Clean(ctx, req.AccountID)
		if err := cleanup.Report(ctx, r.SFN, req.TaskToken, res, cleanErr); err != nil {
			return 0, err
		}
		log.InfoContext(ctx, "local runner: reported", "succeeded", cleanErr == nil && res.Succeeded)
		if _, err := r.Queue.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(r.QueueURL),
			ReceiptHandle: m.ReceiptHandle}); err != nil {
			return 0, fmt.Errorf("delete build request: %w", err)
		}
	}
	return len(out.Messages), nil
}
