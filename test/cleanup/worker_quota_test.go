package cleanup_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/cleanup/localrun"
	"github.com/isb-go/isb/common/cleanup/worker"
	"github.com/isb-go/isb/test/emulator"
)

// answers records the task answers of the stand-in's builds.
type answers struct {
	mu     sync.Mutex
	tokens []string
}

func (a *answers) Succeed(_ context.Context, token, _ string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokens = append(a.tokens, token)
	return nil
}

func (a *answers) Fail(ctx context.Context, token, _, _ string) error {
	return a.Succeed(ctx, token, "")
}

func TestABuildRefusedByTheQuotaIsPutBackDelayedAndTheOriginalTaken(t *testing.T) {
	ctx := t.Context()
	cfg := emulator.Config(t)
	q := sqs.NewFromConfig(cfg)
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("worker-quota")})
	if err != nil {
		t.Fatal(err)
	}
	queueURL := aws.ToString(created.QueueUrl)

	// CodeBuild with a quota of one build, which the first request fills
	// until release is closed.
	release := make(chan struct{})
	cb := &localrun.CodeBuild{Quota: 1, SFN: &answers{}, Log: slog.Default(), Context: ctx,
		Clean: func(context.Context, string) (cleanup.Result, error) {
			<-release
			return cleanup.Result{Succeeded: true}, nil
		}}
	srv := httptest.NewServer(cb)
	t.Cleanup(srv.Close)
	t.Cleanup(cb.Wait)
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	w := &worker.Worker{
		CodeBuild: codebuild.NewFromConfig(cfg, func(o *codebuild.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
		Project:   "cleanup", Queue: q, QueueURL: queueURL, QuotaBackoff: 2 * time.Second,
		Jitter: func() float64 { return 0 }, Log: slog.Default(),
	}
	request := func(n int) string {
		b, _ := json.Marshal(cleanup.BuildRequest{TaskToken: "token-" + strconv.Itoa(n),
			AccountID: "00000000000" + strconv.Itoa(n), ExecutionName: "execution-" + strconv.Itoa(n)})
		return string(b)
	}
	handle := func(id, body string) lambdaevents.SQSEventResponse {
		t.Helper()
		resp, err := w.Handle(ctx, lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{
			{MessageId: id, Body: body}}})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	if resp := handle("first", request(1)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("the first build did not start: %+v", resp)
	}
	// The second request arrives through the queue, as the state machine
	// sends it.
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL),
		MessageBody: aws.String(request(2))}); err != nil {
		t.Fatal(err)
	}
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), WaitTimeSeconds: 1})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("receive the second request: %v %+v", err, got)
	}
	original := got.Messages[0]
	if resp := handle(aws.ToString(original.MessageId), aws.ToString(original.Body)); len(resp.BatchItemFailures) != 0 {
		t.Errorf("a request refused by the quota came back as a failure %+v, want it taken", resp)
	}
	if s := cb.Stats(); s.Refused != 1 || s.Started != 1 {
		t.Errorf("CodeBuild saw %+v, want one build started and one start refused", s)
	}
	// The poller deletes a message not reported as failed.
	if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL),
		ReceiptHandle: original.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed}})
	if err != nil {
		t.Fatal(err)
	}
	if n := attrs.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed)]; n != "1" {
		t.Errorf("%s requests wait delayed on the queue, want the one put back", n)
	}

	// The request comes back after its delay, as a new message: its
	// receive count starts again, it says it waited once and keeps its
	// token, so its build is still started once.
	var back sqstypes.Message
	deadline := time.Now().Add(20 * time.Second)
	for back.Body == nil && time.Now().Before(deadline) {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), WaitTimeSeconds: 1,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{
				sqstypes.MessageSystemAttributeNameApproximateReceiveCount}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			back = out.Messages[0]
		}
	}
	if back.Body == nil {
		t.Fatal("the refused request never came back to the queue")
	}
	var req cleanup.BuildRequest
	if err := json.Unmarshal([]byte(aws.ToString(back.Body)), &req); err != nil {
		t.Fatal(err)
	}
	if req.QuotaWaits != 1 || req.TaskToken != "token-2" || req.ExecutionName != "execution-2" {
		t.Errorf("the request came back as %+v, want the same request having waited once", req)
	}
	if n := back.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)]; n != "1" {
		t.Errorf("the request put back has been received %s times, want 1 (a new message)", n)
	}

	close(release)
	cb.Wait()
	if resp := handle(aws.ToString(back.MessageId), aws.ToString(back.Body)); len(resp.BatchItemFailures) != 0 {
		t.Errorf("with the quota free the build did not start: %+v", resp)
	}
	// A request delivered twice starts one build: the execution name is
	// the idempotency token.
	handle("again", aws.ToString(back.Body))
	if s := cb.Stats(); s.Started != 2 || s.Refused != 1 || s.Peak != 1 {
		t.Errorf("CodeBuild saw %+v, want two builds, one refusal and never more than one build at once", s)
	}
}
