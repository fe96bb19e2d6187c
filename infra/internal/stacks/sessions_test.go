package stacks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/names"
)

// TestSessionTableReachesEveryTokenChecker: logout revokes a token in the
// Sessions table, so every function that verifies tokens must know the
// table and may read it; only the sign-in handler may write it.
func TestSessionTableReachesEveryTokenChecker(t *testing.T) {
	all := resources(t, StackCompute)
	for _, tc := range []struct {
		description string
		writes      bool
	}{
		{"REST API request authorizer", false},
		{"SAML sign-in", true},
		{"REST API: /leases", false},
		{"REST API: /leaseTemplates", false},
		{"REST API: /accounts", false},
		{"REST API: /configurations", false},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, fn := functionByDescription(t, all, tc.description)
			vars, _ := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
			if !strings.Contains(fmt.Sprint(vars[names.EnvSessionTable]), "SessionTable") {
				t.Errorf("%s = %v, want the Data stack's Sessions table", names.EnvSessionTable, vars[names.EnvSessionTable])
			}
			grants := grantsOf(all, getAttTarget(fn["Role"]))
			onSessions := func(action string) bool {
				for _, r := range grants[action] {
					if strings.Contains(r, "SessionTable") {
						return true
					}
				}
				return false
			}
			if !onSessions("dynamodb:GetItem") {
				t.Errorf("cannot GetItem on the Sessions table: %v", grants["dynamodb:GetItem"])
			}
			if got := onSessions("dynamodb:PutItem"); got != tc.writes {
				t.Errorf("may PutItem on the Sessions table: %v, want %v", got, tc.writes)
			}
			for _, a := range []string{"dynamodb:Scan", "dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:UpdateItem"} {
				if onSessions(a) {
					t.Errorf("may %s on the Sessions table", a)
				}
			}
		})
	}
}
