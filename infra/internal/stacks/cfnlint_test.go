package stacks

import (
	"path/filepath"
	"testing"

	"github.com/isb-go/isb/infra/internal/templatecheck"
)

// TestCfnLint runs cfn-lint on every template the shared app synthesized
// into the test's cloud assembly, including the SandboxAccount template
// the StackSet deploys (see templatecheck.CfnLint).
func TestCfnLint(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testOutdir, "*.template.json"))
	if err != nil || len(files) != len(templates) {
		t.Fatalf("want %d templates in %s, found %v (%v)", len(templates), testOutdir, files, err)
	}
	templatecheck.CfnLint(t, files...)
}
