package wiring

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/cleanup"
)

// Detail-types of the events the watchdog's rules deliver.
const (
	detailScheduled    = "Scheduled Event"
	detailStatusChange = "Step Functions Execution Status Change"
)

type handler struct{ w *cleanup.Watchdog }

// statusChange is the detail of a Step Functions status-change event.
type statusChange struct {
	ExecutionArn string `json:"executionArn"`
	Status       string `json:"status"`
	Input        string `json:"input"`
}

// Handle sweeps on the schedule and checks one execution on a status change.
func (h *handler) Handle(ctx context.Context, e lambdaevents.CloudWatchEvent) error {
	switch e.DetailType {
	case detailScheduled:
		res, err := h.w.Sweep(ctx)
		slog.InfoContext(ctx, "watchdog sweep", "checked", res.Checked, "reported", res.Reported)
		return err
	case detailStatusChange:
		var d statusChange
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			return fmt.Errorf("status change event %s: %w", e.ID, err)
		}
		_, err := h.w.ExecutionEnded(ctx, d.ExecutionArn, d.Status, d.Input)
		return err
	default:
		slog.WarnContext(ctx, "watchdog: unexpected event ignored", "detail_type", e.DetailType)
		return nil
	}
}
