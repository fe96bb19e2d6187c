package costs

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/awscfg/chaintest"
)

func TestCostExplorerIsReachedThroughTheOrgMgtHop(t *testing.T) {
	c := NewChain(aws.Config{}, "ns", "111111111111", "", nil)
	chaintest.Want(t, "chain", c.roles("222222222222"),
		"arn:aws:iam::111111111111:role/isb-ns-OrgMgtHopRole", "arn:aws:iam::222222222222:role/isb-ns-OrgMgtRole")
}
