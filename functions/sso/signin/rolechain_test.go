package signin

import (
	"testing"

	"github.com/isb-go/isb/common/awscfg/chaintest"
)

func TestSignInReadsTheIdentityStoreThroughTheReadOnlyHop(t *testing.T) {
	chaintest.Want(t, "StoreRoleChain", StoreRoleChain("ns", "111111111111", "333333333333"),
		"arn:aws:iam::111111111111:role/isb-ns-IdcReadOnlyHopRole", "arn:aws:iam::333333333333:role/isb-ns-IdcReadOnlyRole")
}
