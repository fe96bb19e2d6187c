package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/aws/smithy-go"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/fault"
)

// Transport error kinds, beside the domain kinds in common/fault.
var (
	// Unauthenticated: no token, or one that does not verify.
	Unauthenticated = errors.New("unauthenticated")
	// UnsupportedMediaType: a body that is not JSON.
	UnsupportedMediaType = errors.New("unsupported media type")
	// Maintenance: maintenance mode is on and the caller is not an Admin.
	Maintenance = errors.New("the platform is in maintenance mode; only administrators may use it")
)

// throttleCodes are the AWS error codes that mean "slow down".
var throttleCodes = []string{
	"ThrottlingException", "TooManyRequestsException", "ProvisionedThroughputExceededException",
	"RequestLimitExceeded", "LimitExceededException", "Throttling",
}

// Status is the one table from error kinds to HTTP statuses. It returns the
// status, the field errors to show, and extra headers. A 500 shows nothing
// of the error.
func Status(err error) (int, []fault.FieldError, map[string]string) {
	var v *fault.ValidationError
	var apiErr smithy.APIError
	var se *statusError
	switch {
	case errors.As(err, &se):
		return se.status, []fault.FieldError{{Message: se.msg}}, se.headers
	case errors.As(err, &v):
		return http.StatusBadRequest, v.Fields, nil
	case errors.Is(err, fault.Invalid):
		return http.StatusBadRequest, message("input", err), nil
	case errors.Is(err, Unauthenticated):
		// The reason (expired, bad signature, audience...) is logged by
		// Handle; telling it to the client helps only someone probing.
		return http.StatusUnauthorized, []fault.FieldError{{Field: "Authorization", Message: auth.ErrInvalidToken.Error()}}, nil
	case errors.Is(err, Maintenance):
		return http.StatusForbidden, []fault.FieldError{{Message: Maintenance.Error()}}, nil
	case errors.Is(err, fault.Forbidden):
		return http.StatusForbidden, message("", err), nil
	case errors.Is(err, fault.NotFound):
		return http.StatusNotFound, message("", err), nil
	case errors.Is(err, fault.PoolEmpty):
		return http.StatusConflict, []fault.FieldError{{Message: "No accounts are available to lease. Retry later."}},
			retryAfter(RetryAfterPoolEmpty)
	case errors.Is(err, fault.LimitReached):
		var le *fault.LimitError
		if errors.As(err, &le) {
			return http.StatusConflict, []fault.FieldError{{Field: le.Limit,
				Message: fmt.Sprintf("the limit of %d active or pending leases per user (%s) is reached", le.Value, le.Limit)}}, nil
		}
		return http.StatusConflict, message("", err), nil
	case errors.Is(err, fault.Conflict):
		return http.StatusConflict, message("", err), nil
	case errors.Is(err, UnsupportedMediaType):
		return http.StatusUnsupportedMediaType, message("Content-Type", err), nil
	case storeRefused(err):
		return http.StatusBadRequest, []fault.FieldError{{Message: "a value in this request is too long or malformed to be looked up"}}, nil
	case errors.As(err, &apiErr) && slices.Contains(throttleCodes, apiErr.ErrorCode()):
		return http.StatusTooManyRequests, []fault.FieldError{{Message: "Too many requests. Retry later."}}, retryAfter(5)
	default:
		return http.StatusInternalServerError, nil, nil
	}
}

// storeRefused reports whether err is AWS refusing a value of the request
// (DynamoDB's ValidationException, such as a key over 2,048 bytes). The
// checks before the store are meant to catch every such value; this keeps
// one they miss from answering 500.
func storeRefused(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationException"
}

func message(field string, err error) []fault.FieldError {
	return []fault.FieldError{{Field: field, Message: err.Error()}}
}
