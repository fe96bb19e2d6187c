package platform

import (
	"fmt"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/names"
)

// The check runs before any construct is made, so no scope is needed.
func TestAFunctionIsRefusedWithoutAnEnvironmentKeyItNeeds(t *testing.T) {
	for _, tc := range []struct {
		name, function string
		env            map[string]string
		want           string
	}{
		{"a function missing a needed key", names.LambdaOutboxRelay,
			map[string]string{names.EnvOutboxTable: "outbox"}, "needs " + names.EnvEventBus},
		{"a function not in the names table", "no-such-function", nil, "not in names.Lambdas"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if got := fmt.Sprint(recover()); !strings.Contains(got, tc.want) {
					t.Errorf("panic = %q, want it to say %q", got, tc.want)
				}
			}()
			NewGoFunction(nil, "Fn", &GoFunctionProps{Name: tc.function, Environment: tc.env})
		})
	}
}
