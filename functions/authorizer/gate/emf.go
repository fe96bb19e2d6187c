package gate

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/isb-go/isb/common/names"
)

// EMFCounter publishes names.MetricAuthorizerErrors through the CloudWatch
// embedded metric format: one JSON line on stdout per fault, which
// CloudWatch Logs turns into a metric. No CloudWatch client, no network.
type EMFCounter struct {
	namespace string
	now       func() time.Time
	mu        sync.Mutex
	w         io.Writer
}

// NewEMFCounter writes the metric of namespace (names.MetricNamespace) to w.
func NewEMFCounter(namespace string, w io.Writer, now func() time.Time) *EMFCounter {
	return &EMFCounter{namespace: namespace, now: now, w: w}
}

// Fault records one fault.
func (e *EMFCounter) Fault(ctx context.Context) {
	line, err := json.Marshal(map[string]any{
		"_aws": map[string]any{
			"Timestamp": e.now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  e.namespace,
				"Dimensions": [][]string{{}},
				"Metrics":    []any{map[string]any{"Name": names.MetricAuthorizerErrors, "Unit": "Count"}},
			}},
		},
		names.MetricAuthorizerErrors: 1,
	})
	if err != nil {
		slog.ErrorContext(ctx, "cannot render metric", "error", err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.w.Write(append(line, '\n')); err != nil {
		slog.ErrorContext(ctx, "cannot write metric", "error", err)
	}
}
