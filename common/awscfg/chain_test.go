package awscfg

import (
	"slices"
	"testing"

	"github.com/isb-go/isb/common/names"
)

func TestHopChainGoesThroughTheOneHopOfEachTarget(t *testing.T) {
	for _, tc := range []struct {
		name, target, hop string
	}{
		{"the management account is reached through the OrgMgt hop", names.OrgMgtRole, "isb-ns-OrgMgtHopRole"},
		{"read-write Identity Center is reached through the IDC hop", names.IdcRole, "isb-ns-IdcHopRole"},
		{"read-only Identity Center is reached through the read-only IDC hop", names.IdcReadOnlyRole, "isb-ns-IdcReadOnlyHopRole"},
		{"a pool account is reached through the sandbox hop", names.SandboxAccountRole, "isb-ns-SandboxHopRole"},
		{"a lessee's session is reached through the lessee hop", names.LesseeRole, "isb-ns-LesseeHopRole"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := HopChain("aws-us-gov", "111111111111", "ns", "222222222222", tc.target)
			want := []string{"arn:aws-us-gov:iam::111111111111:role/" + tc.hop,
				"arn:aws-us-gov:iam::222222222222:role/" + names.RoleName("ns", tc.target)}
			if !slices.Equal(got, want) {
				t.Errorf("HopChain = %v, want %v", got, want)
			}
		})
	}
	t.Run("the lessee role is outside the SCPs' isb-<ns>-* principal exemption", func(t *testing.T) {
		got := HopChain("aws", "111111111111", "ns", "222222222222", names.LesseeRole)[1]
		if got != "arn:aws:iam::222222222222:role/Lessee-isb-ns-LesseeRole" {
			t.Errorf("lessee role ARN = %s", got)
		}
	})
	t.Run("no two targets share a hop", func(t *testing.T) {
		seen := map[string]string{}
		for _, target := range names.HopTargets {
			hop, ok := names.HopFor(target)
			if !ok {
				t.Fatalf("%s has no hop", target)
			}
			if other, dup := seen[hop]; dup {
				t.Errorf("%s and %s share the hop %s", target, other, hop)
			}
			seen[hop] = target
		}
	})
	t.Run("a role that is not a target panics rather than chaining through nothing", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("HopChain of an unknown target did not panic")
			}
		}()
		HopChain("aws", "111111111111", "ns", "222222222222", "AdminRole")
	})
}
