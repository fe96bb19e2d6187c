package cleanup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TaskAnswerer is the Step Functions calls that answer a task token.
type TaskAnswerer interface {
	SendTaskSuccess(
		ctx context.Context,
		in *sfn.SendTaskSuccessInput,
		opts ...func(*sfn.Options),
	) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(
		ctx context.Context,
		in *sfn.SendTaskFailureInput,
		opts ...func(*sfn.Options),
	) (*sfn.SendTaskFailureOutput, error)
}

// maxCause is Step Functions' limit on a failure cause.
const maxCause = 32768

// Report answers the state machine's RunCleanup task: success with the
// result as output, or failure with the last error as cause. A token that
// is no longer waiting (the task timed out, the execution was stopped) is
// not an error: there is nobody left to tell.
func Report(ctx context.Context, api TaskAnswerer, token string, res Result, runErr error) error {
	var err error
	if runErr == nil && res.Succeeded {
		out, mErr := json.Marshal(res)
		if mErr != nil {
			return fmt.Errorf("encode cleanup result: %w", mErr)
		}
		_, err = api.SendTaskSuccess(
			ctx,
			&sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(string(out))},
		)
	} else {
		cause := res.LastError
		if runErr != nil {
			cause = runErr.Error()
		}
		if cause == "" {
			cause = "the cleanup failed"
		}
		cause = fmt.Sprintf("%s (after %d passes, %d failed)", cause, res.Passes, res.Failures)
		if len(cause) > maxCause {
			cause = cause[:maxCause]
		}
		_, err = api.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token),
			Error: aws.String(ErrCleanupFailed), Cause: aws.String(cause)})
	}
	var gone *sfntypes.TaskTimedOut
	var invalid *sfntypes.InvalidToken
	var missing *sfntypes.TaskDoesNotExist
	if errors.As(err, &gone) || errors.As(err, &invalid) || errors.As(err, &missing) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("report the cleanup to Step Functions: %w", err)
	}
	return nil
}
