package cleanup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/isb-go/isb/common/fault"
)

// TaskAnswerer answers the state machine's task token (sfnrun): a token
// nobody waits for any more is fault.NotFound.
type TaskAnswerer interface {
	Succeed(ctx context.Context, token, output string) error
	Fail(ctx context.Context, token, code, cause string) error
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
		err = api.Succeed(ctx, token, string(out))
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
		err = api.Fail(ctx, token, ErrCleanupFailed, cause)
	}
	if errors.Is(err, fault.NotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("report the cleanup to Step Functions: %w", err)
	}
	return nil
}
