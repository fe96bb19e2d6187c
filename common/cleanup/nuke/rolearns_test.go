package nuke

import (
	"testing"

	"github.com/isb-go/isb/common/cleanup"
)

func TestTheCleanerReachesAPoolAccountThroughTheSandboxHop(t *testing.T) {
	c := &Cleaner{Namespace: "ns", Partition: "aws-cn", Accounts: cleanup.Accounts{Hub: "111111111111"}}
	hop, sandbox := c.RoleARNs("444444444444")
	if hop != "arn:aws-cn:iam::111111111111:role/isb-ns-SandboxHopRole" || sandbox != "arn:aws-cn:iam::444444444444:role/isb-ns-SandboxAccountRole" {
		t.Errorf("RoleARNs = %s, %s; want the sandbox hop, then the account's cleanup role", hop, sandbox)
	}
}
