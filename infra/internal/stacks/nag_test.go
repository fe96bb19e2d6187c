package stacks

import (
	"testing"

	"github.com/isb-go/isb/infra/internal/templatecheck"
)

// TestNoUnsuppressedNagErrors checks every stack against the cdk-nag
// AwsSolutions pack: each finding is either fixed or suppressed with a
// reason in the code.
func TestNoUnsuppressedNagErrors(t *testing.T) {
	for name, ann := range annotations {
		t.Run(name, func(t *testing.T) { templatecheck.NoNagFindings(t, ann) })
	}
}
