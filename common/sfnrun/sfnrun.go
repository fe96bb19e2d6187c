// Package sfnrun is the Step Functions adapter of the account cleaner:
// reading and stopping an execution, and answering a task token. SDK
// errors become fault kinds: an execution that does not exist, or a token
// nobody waits for any more (timed out, invalid, gone), is fault.NotFound.
package sfnrun

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/isb-go/isb/common/fault"
)

// API is the Step Functions calls made.
type API interface {
	DescribeExecution(
		ctx context.Context,
		in *sfn.DescribeExecutionInput,
		opts ...func(*sfn.Options),
	) (*sfn.DescribeExecutionOutput, error)
	StopExecution(
		ctx context.Context,
		in *sfn.StopExecutionInput,
		opts ...func(*sfn.Options),
	) (*sfn.StopExecutionOutput, error)
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

// StepFunctions is the adapter.
type StepFunctions struct{ api API }

// New returns the adapter over the client.
func New(api API) *StepFunctions { return &StepFunctions{api: api} }

// Describe returns an execution's status (Step Functions' spelling:
// RUNNING, FAILED, TIMED_OUT, ABORTED, SUCCEEDED) and input.
func (s *StepFunctions) Describe(ctx context.Context, executionARN string) (status, input string, err error) {
	out, err := s.api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN)})
	var gone *sfntypes.ExecutionDoesNotExist
	if errors.As(err, &gone) {
		return "", "", &fault.NotFoundError{Entity: "execution", Key: executionARN}
	}
	if err != nil {
		return "", "", fmt.Errorf("describe %s: %w", executionARN, err)
	}
	return string(out.Status), aws.ToString(out.Input), nil
}

// Stop stops a running execution with an error code and cause.
func (s *StepFunctions) Stop(ctx context.Context, executionARN, code, cause string) error {
	if _, err := s.api.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(executionARN),
		Error: aws.String(code), Cause: aws.String(cause)}); err != nil {
		return fmt.Errorf("stop %s: %w", executionARN, err)
	}
	return nil
}

// Succeed answers a task token with its output.
func (s *StepFunctions) Succeed(ctx context.Context, token, output string) error {
	_, err := s.api.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token),
		Output: aws.String(output)})
	return tokenErr(err)
}

// Fail answers a task token with an error code and cause.
func (s *StepFunctions) Fail(ctx context.Context, token, code, cause string) error {
	_, err := s.api.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token),
		Error: aws.String(code), Cause: aws.String(cause)})
	return tokenErr(err)
}

func tokenErr(err error) error {
	var gone *sfntypes.TaskTimedOut
	var invalid *sfntypes.InvalidToken
	var missing *sfntypes.TaskDoesNotExist
	if errors.As(err, &gone) || errors.As(err, &invalid) || errors.As(err, &missing) {
		return fmt.Errorf("%w: %w", fault.NotFound, err)
	}
	return err
}
