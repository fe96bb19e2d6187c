//lint:file-ignore SA1019 assertions.Annotations returns cxapi.SynthesisMessage; the Go bindings offer no other type

package stacks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// TestNoUnsuppressedNagErrors checks every stack against the cdk-nag
// AwsSolutions pack: each finding is either fixed or suppressed with a
// reason in the code.
func TestNoUnsuppressedNagErrors(t *testing.T) {
	for name, ann := range annotations {
		t.Run(name, func(t *testing.T) {
			for _, level := range []struct {
				kind  string
				found *[]*cxapi.SynthesisMessage
			}{
				{"error", ann.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))},
				{"warning", ann.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))},
			} {
				for _, msg := range *level.found {
					t.Errorf("cdk-nag %s at %s: %s", level.kind, *msg.Id, firstLine(fmt.Sprint(msg.Entry.Data)))
				}
			}
		})
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
