package orgs

import (
	"testing"

	"github.com/isb-go/isb/common/awscfg/chaintest"
)

func TestOrganizationsIsReachedThroughTheOrgMgtHop(t *testing.T) {
	chaintest.Want(t, "RoleChain", RoleChain("ns", "111111111111", "222222222222"),
		"arn:aws:iam::111111111111:role/isb-ns-OrgMgtHopRole", "arn:aws:iam::222222222222:role/isb-ns-OrgMgtRole")
}
