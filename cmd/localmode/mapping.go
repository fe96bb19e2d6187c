package localmode

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Mapping polls one queue as an SQS event-source mapping does: batches of
// BatchSize, at most Concurrency batches at once, the messages the handler
// reports as failed (or the whole batch when it fails) left on the queue
// to be received again, until the queue's redrive policy moves them to the
// DLQ after its maxReceiveCount receives. Local mode runs one per
// consumer; the throughput benchmark runs the lifecycle manager behind one.
type Mapping struct {
	SQS *sqs.Client
	// Queue names the queue in errors.
	Queue              string
	QueueURL, QueueARN string
	BatchSize          int
	Concurrency        int
	// RetryDelay is how long a failed message stays invisible before it
	// is received again. On AWS the queue's visibility timeout decides.
	RetryDelay time.Duration
	// Invoke runs the function with the batch as the Lambda runtime would
	// and returns its JSON answer (an events.SQSEventResponse or nothing).
	Invoke func(ctx context.Context, ev events.SQSEvent) ([]byte, error)
}

// Run polls with Concurrency pollers until ctx ends. A poll that fails is
// passed to failed and tried again after RetryDelay.
func (m *Mapping) Run(ctx context.Context, failed func(error)) {
	var wg sync.WaitGroup
	for range max(1, m.Concurrency) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := m.PollOnce(ctx); err != nil && ctx.Err() == nil {
					if failed != nil {
						failed(err)
					}
					pause(ctx, m.RetryDelay)
				}
			}
		}()
	}
	wg.Wait()
}

// PollOnce receives one batch and hands it to the function; it returns how
// many messages it received.
func (m *Mapping) PollOnce(ctx context.Context) (int, error) {
	out, err := m.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(m.QueueURL),
		MaxNumberOfMessages: int32(max(1, m.BatchSize)), WaitTimeSeconds: pollWait,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
	if err != nil {
		return 0, fmt.Errorf("receive from %s: %w", m.Queue, err)
	}
	if len(out.Messages) == 0 {
		return 0, nil
	}
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(out.Messages))}
	for i, msg := range out.Messages {
		ev.Records[i] = events.SQSMessage{MessageId: aws.ToString(msg.MessageId),
			ReceiptHandle: aws.ToString(msg.ReceiptHandle),
			Body:          aws.ToString(msg.Body), Md5OfBody: aws.ToString(msg.MD5OfBody), Attributes: msg.Attributes,
			EventSource: "aws:sqs", EventSourceARN: m.QueueARN, AWSRegion: Region}
	}
	failed := map[string]bool{}
	res, err := m.Invoke(ctx, ev)
	if err != nil {
		for _, r := range ev.Records {
			failed[r.MessageId] = true
		}
	} else {
		var resp events.SQSEventResponse
		if len(res) > 0 && string(res) != "null" {
			if err := json.Unmarshal(res, &resp); err != nil {
				return len(out.Messages), fmt.Errorf("the consumer of %s answered %s: %w", m.Queue, res, err)
			}
		}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
	}
	for _, msg := range out.Messages {
		if failed[aws.ToString(msg.MessageId)] {
			// Visible again after RetryDelay rather than the queue's
			// visibility timeout; the receive count still drives the DLQ.
			_, _ = m.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(m.QueueURL), ReceiptHandle: msg.ReceiptHandle,
				VisibilityTimeout: int32(m.RetryDelay.Seconds())})
			continue
		}
		if _, err := m.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(m.QueueURL),
			ReceiptHandle: msg.ReceiptHandle}); err != nil {
			return len(out.Messages), fmt.Errorf("delete from %s: %w", m.Queue, err)
		}
	}
	return len(out.Messages), nil
}

// pause waits d, or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
