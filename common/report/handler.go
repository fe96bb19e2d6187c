package report

import (
	"context"
	"time"
)

// Handler is the Lambda entry point: the monthly schedule invokes it with
// an empty payload (the previous month), an operator with
// {"reportMonth":"yyyy-MM"}.
type Handler struct {
	Service *Service
	Now     func() time.Time
}

// Handle picks the month and runs the report. A bad reportMonth is a
// *fault.ValidationError naming the field, and nothing is published: there
// is no valid month to report a failure for.
func (h *Handler) Handle(ctx context.Context, req Request) (Result, error) {
	now := h.Now().UTC()
	month, err := req.Month(now)
	if err != nil {
		return Result{}, err
	}
	return h.Service.Run(ctx, month, now)
}
