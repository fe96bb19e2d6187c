// Package httpapi is the REST API's transport: it turns API Gateway proxy
// events into calls on a family's route handlers and their results (or
// errors) into JSend responses. It verifies the caller's token again
// (defence in depth behind the authorizer), checks the route's roles from
// common/routes, enforces maintenance mode, decodes request bodies
// strictly, parses paging parameters and maps error kinds to HTTP statuses
// in one table.
package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/fault"
)

// Response is what a route handler returns on success: a status (200 when
// zero) and the value to place under "data".
type Response struct {
	Status  int
	Data    any
	Headers map[string]string
}

// OK is a 200 response carrying data.
func OK(data any) Response { return Response{Status: http.StatusOK, Data: data} }

// Created is a 201 response carrying data.
func Created(data any) Response { return Response{Status: http.StatusCreated, Data: data} }

// Page is the data of a listing: upstream's {result, nextPageIdentifier}.
type Page[T any] struct {
	Result             []T     `json:"result"`
	NextPageIdentifier *string `json:"nextPageIdentifier"`
}

// NewPage builds a listing page; an empty next token becomes null.
func NewPage[T any](items []T, next string) Page[T] {
	if items == nil {
		items = []T{}
	}
	p := Page[T]{Result: items}
	if next != "" {
		p.NextPageIdentifier = &next
	}
	return p
}

// The JSend envelopes upstream's clients read.
type success struct {
	Status string `json:"status"`
	Data   any    `json:"data"`
}

type failData struct {
	Errors []fault.FieldError `json:"errors"`
}

type fail struct {
	Status string   `json:"status"`
	Data   failData `json:"data"`
}

type serverError struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// internalMessage is the only thing a 500 says; details go to the log.
const internalMessage = "An unexpected error occurred."

// securityHeaders go on every response.
var securityHeaders = map[string]string{
	"Content-Type":              "application/json",
	"Cache-Control":             "no-store",
	"X-Content-Type-Options":    "nosniff",
	"Strict-Transport-Security": "max-age=47304000; includeSubDomains",
	"X-Frame-Options":           "DENY",
	"Referrer-Policy":           "no-referrer",
}

func encode(status int, body any, extra map[string]string) events.APIGatewayProxyResponse {
	b, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(serverError{Status: "error", Message: internalMessage})
	}
	headers := make(map[string]string, len(securityHeaders)+len(extra))
	for k, v := range securityHeaders {
		headers[k] = v
	}
	for k, v := range extra {
		headers[k] = v
	}
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, Body: string(b)}
}

func successResponse(r Response) events.APIGatewayProxyResponse {
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	return encode(status, success{Status: "success", Data: r.Data}, r.Headers)
}

func failResponse(status int, errs []fault.FieldError, headers map[string]string) events.APIGatewayProxyResponse {
	if errs == nil {
		errs = []fault.FieldError{}
	}
	return encode(status, fail{Status: "fail", Data: failData{Errors: errs}}, headers)
}

func errorResponse() events.APIGatewayProxyResponse {
	return encode(http.StatusInternalServerError, serverError{Status: "error", Message: internalMessage}, nil)
}

// RetryAfterPoolEmpty is how long a client is told to wait when no account
// is free: a cleanup takes a few minutes.
const RetryAfterPoolEmpty = 300 // seconds

func retryAfter(seconds int) map[string]string {
	return map[string]string{"Retry-After": strconv.Itoa(seconds)}
}

// InternalError is the 500 response, for failures outside a Server.
func InternalError() events.APIGatewayProxyResponse { return errorResponse() }
