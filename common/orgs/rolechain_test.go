package orgs

import (
	"slices"
	"testing"
)

func TestOrganizationsIsReachedThroughTheOrgMgtHop(t *testing.T) {
	got := RoleChain("ns", "111111111111", "222222222222")
	want := []string{"arn:aws:iam::111111111111:role/isb-ns-OrgMgtHopRole", "arn:aws:iam::222222222222:role/isb-ns-OrgMgtRole"}
	if !slices.Equal(got, want) {
		t.Errorf("RoleChain = %v, want %v", got, want)
	}
}
