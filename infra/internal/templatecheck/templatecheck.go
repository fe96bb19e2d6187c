//lint:file-ignore SA1019 assertions.Annotations returns cxapi.SynthesisMessage; the Go bindings offer no other type

// Package templatecheck holds the checks every synthesized template must
// pass, for the infra tests: no cdk-nag AwsSolutions finding that is not
// suppressed, and a clean cfn-lint run.
package templatecheck

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// CfnLintIgnored are the cfn-lint checks the templates are allowed to
// fail, each with its reason:
//
//   - W3005 (redundant DependsOn): CDK makes every function depend on its
//     role's default policy as well as referencing the role, so that the
//     policy exists before the first invocation; cfn-lint sees only the
//     reference.
var CfnLintIgnored = []string{"W3005"}

// CfnLint runs cfn-lint (1.51.0 in CI) on the template files. A missing
// cfn-lint is a failure, not a skip: set ISB_SKIP_CFN_LINT=1 to run
// without it knowingly.
func CfnLint(t testing.TB, files ...string) {
	t.Helper()
	if os.Getenv("ISB_SKIP_CFN_LINT") == "1" {
		t.Skip("ISB_SKIP_CFN_LINT=1")
	}
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint not found on PATH (pip install cfn-lint==1.51.0, or ISB_SKIP_CFN_LINT=1)")
	}
	args := append([]string{"--ignore-checks", strings.Join(CfnLintIgnored, ","), "--"}, files...)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint failed (%v):\n%s", err, out)
	}
}

// NoNagFindings fails t for every cdk-nag AwsSolutions error or warning
// in ann: each finding is either fixed or suppressed with a reason in the
// code.
func NoNagFindings(t testing.TB, ann assertions.Annotations) {
	t.Helper()
	rule := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for _, level := range []struct {
		kind  string
		found *[]*cxapi.SynthesisMessage
	}{
		{"error", ann.FindError(jsii.String("*"), rule)},
		{"warning", ann.FindWarning(jsii.String("*"), rule)},
	} {
		for _, msg := range *level.found {
			t.Errorf("cdk-nag %s at %s: %s", level.kind, *msg.Id, firstLine(fmt.Sprint(msg.Entry.Data)))
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
