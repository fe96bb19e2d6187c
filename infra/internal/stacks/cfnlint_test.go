package stacks

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cfnLintIgnored are the cfn-lint checks the templates are allowed to
// fail, each with its reason:
//
//   - W3005 (redundant DependsOn): CDK makes every function depend on its
//     role's default policy as well as referencing the role, so that the
//     policy exists before the first invocation; cfn-lint sees only the
//     reference.
var cfnLintIgnored = []string{"W3005"}

// TestCfnLint runs cfn-lint (1.51.0 in CI) on every template the shared
// app synthesized into the test's cloud assembly, including the
// SandboxAccount template the StackSet deploys. A missing cfn-lint is a
// failure, not a skip: set ISB_SKIP_CFN_LINT=1 to run without it
// knowingly.
func TestCfnLint(t *testing.T) {
	if os.Getenv("ISB_SKIP_CFN_LINT") == "1" {
		t.Skip("ISB_SKIP_CFN_LINT=1")
	}
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found on PATH (pip install cfn-lint==1.51.0, or ISB_SKIP_CFN_LINT=1)")
	}
	files, err := filepath.Glob(filepath.Join(testOutdir, "*.template.json"))
	if err != nil || len(files) != len(templates) {
		t.Fatalf("want %d templates in %s, found %v (%v)", len(templates), testOutdir, files, err)
	}
	args := append([]string{"--ignore-checks", strings.Join(cfnLintIgnored, ","), "--"}, files...)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint failed (%v):\n%s", err, out)
	}
}
