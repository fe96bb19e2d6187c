package lifecycle

import (
	"testing"

	"github.com/isb-go/isb/common/events"
)

func TestAnExpiredLeaseNamesItsDurationInWholeHoursRoundedUp(t *testing.T) {
	tests := []struct {
		name  string
		hours float64
		want  int
	}{
		{name: "a lease shorter than an hour counts one hour (zero would make the event invalid)", hours: 0.25, want: 1},
		{name: "a whole number of hours is kept", hours: 24, want: 24},
		{name: "a part hour counts as a whole one", hours: 1.5, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wholeHours(&tt.hours)
			if got == nil || *got != tt.want {
				t.Fatalf("wholeHours(%g) = %v, want %d", tt.hours, deref(got), tt.want)
			}
			if err := events.TerminatedExpired(got).Validate(); err != nil {
				t.Errorf("the Expired reason for %g hours is invalid: %v", tt.hours, err)
			}
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
