package notify

import (
	"slices"
	"testing"
)

func TestTheNotifierReadsIdentityCenterThroughTheReadOnlyHop(t *testing.T) {
	c := &ChainIdentityCenter{namespace: "ns", hub: "111111111111"}
	got := c.roles("333333333333")
	want := []string{"arn:aws:iam::111111111111:role/isb-ns-IdcReadOnlyHopRole", "arn:aws:iam::333333333333:role/isb-ns-IdcReadOnlyRole"}
	if !slices.Equal(got, want) {
		t.Errorf("chain = %v, want %v", got, want)
	}
}
