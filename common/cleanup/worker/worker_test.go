package worker

import (
	"testing"
	"time"
)

func TestAQuotaRefusalWaitsLongerEachTimeWithJitterAndNeverBeyondSQSsLimit(t *testing.T) {
	tests := []struct {
		name   string
		waits  int
		base   time.Duration
		jitter float64
		want   time.Duration
	}{
		{name: "the first refusal waits the base without jitter", waits: 1, base: 30 * time.Second, want: 30 * time.Second},
		{name: "jitter takes off up to half", waits: 1, base: 30 * time.Second, jitter: 0.999, want: 15 * time.Second},
		{name: "each refusal doubles the wait", waits: 3, base: 30 * time.Second, want: 120 * time.Second},
		{name: "the wait stops at fifteen minutes", waits: 12, base: 30 * time.Second, want: 900 * time.Second},
		{name: "a zero base is the default", waits: 1, want: DefaultQuotaBackoff},
		{name: "a wait is never under a second", waits: 1, base: time.Second, jitter: 0.999, want: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := QuotaDelay(tt.waits, tt.base, tt.jitter); got != tt.want {
				t.Errorf("QuotaDelay(%d, %s, %v) = %s, want %s", tt.waits, tt.base, tt.jitter, got, tt.want)
			}
		})
	}
}
