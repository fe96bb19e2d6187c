package signin

import (
	"slices"
	"testing"
)

func TestSignInReadsTheIdentityStoreThroughTheReadOnlyHop(t *testing.T) {
	got := StoreRoleChain("ns", "111111111111", "333333333333")
	want := []string{"arn:aws:iam::111111111111:role/isb-ns-IdcReadOnlyHopRole", "arn:aws:iam::333333333333:role/isb-ns-IdcReadOnlyRole"}
	if !slices.Equal(got, want) {
		t.Errorf("StoreRoleChain = %v, want %v", got, want)
	}
}
