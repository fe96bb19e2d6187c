package costs

import (
	"slices"
	"testing"
)

func TestCostExplorerIsReachedThroughTheOrgMgtHop(t *testing.T) {
	c := &Chain{namespace: "ns", hub: "111111111111"}
	got := c.roles("222222222222")
	want := []string{"arn:aws:iam::111111111111:role/isb-ns-OrgMgtHopRole", "arn:aws:iam::222222222222:role/isb-ns-OrgMgtRole"}
	if !slices.Equal(got, want) {
		t.Errorf("chain = %v, want %v", got, want)
	}
}
