package chain

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestTheLifecycleReachesEachTargetThroughItsHop(t *testing.T) {
	c := New(aws.Config{}, "ns", "111111111111", "pool", "idc")
	for _, tc := range []struct {
		name      string
		got, want []string
	}{
		{"Organizations goes through the OrgMgt hop", c.Org.Roles("222222222222"),
			[]string{"arn:aws:iam::111111111111:role/isb-ns-OrgMgtHopRole", "arn:aws:iam::222222222222:role/isb-ns-OrgMgtRole"}},
		{"account assignments go through the read-write IDC hop",
			c.IDC.Roles("333333333333"),
			[]string{"arn:aws:iam::111111111111:role/isb-ns-IdcHopRole", "arn:aws:iam::333333333333:role/isb-ns-IdcRole"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !slices.Equal(tc.got, tc.want) {
				t.Errorf("chain = %v, want %v", tc.got, tc.want)
			}
		})
	}
}
