package lifecycle

import (
	"slices"
	"testing"

	"github.com/isb-go/isb/common/config"
)

func TestChainClientsPickTheHopOfEachTarget(t *testing.T) {
	c := &ChainClients{namespace: "ns", hub: "111111111111"}
	for _, tc := range []struct {
		name      string
		got, want []string
	}{
		{"Organizations goes through the OrgMgt hop", c.orgRoles(config.AccountPoolParam{OrgMgtAccountID: "222222222222"}),
			[]string{"arn:aws:iam::111111111111:role/isb-ns-OrgMgtHopRole", "arn:aws:iam::222222222222:role/isb-ns-OrgMgtRole"}},
		{"account assignments go through the read-write IDC hop", c.idcRoles(config.IdcParam{IdcAccountID: "333333333333"}),
			[]string{"arn:aws:iam::111111111111:role/isb-ns-IdcHopRole", "arn:aws:iam::333333333333:role/isb-ns-IdcRole"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !slices.Equal(tc.got, tc.want) {
				t.Errorf("chain = %v, want %v", tc.got, tc.want)
			}
		})
	}
}
