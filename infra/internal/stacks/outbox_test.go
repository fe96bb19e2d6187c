package stacks

import (
	"strings"
	"testing"

	"github.com/isb-go/isb/common/names"
)

func TestComputeOutboxRelayReadsThePendingIndexAndCannotScan(t *testing.T) {
	all := resources(t, StackCompute)
	_, fn := functionByDescription(t, all, "Publishes events left in the outbox after a failed delivery")
	grants := grantsOf(all, getAttTarget(fn["Role"]))
	tests := []struct {
		name string
		ok   func() bool
	}{
		{"it may query the outbox's indexes", func() bool {
			return strings.Contains(strings.Join(grants["dynamodb:Query"], " "), "/index/*")
		}},
		{"it may delete what it delivered", func() bool { return len(grants["dynamodb:BatchWriteItem"]) > 0 }},
		{"it may not scan", func() bool { return len(grants["dynamodb:Scan"]) == 0 }},
		{"it may not write records itself", func() bool {
			return len(grants["dynamodb:PutItem"]) == 0 && len(grants["dynamodb:UpdateItem"]) == 0
		}},
		{"it may decrypt the table", func() bool { return len(grants["kms:Decrypt"]) > 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok() {
				t.Fatalf("grants = %v", grants)
			}
		})
	}
	vars, _ := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	if vars[names.EnvOutboxTable] == nil {
		t.Fatal("the relay is not told the outbox table")
	}
}
