package auth_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/sso/signin"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

// The hub and IDC accounts of the platform the tests build.
const hubAccount, idcAccount = fixture.HubAccount, fixture.IdcAccount

// The emulator does not enforce trust policies, but it reports who each
// hop of a chain is, so this proves the order of the sign-in chain over
// STS: the hub's read-only IDC hop, then the read-only role in the IDC
// account, never the read-write IDC role.
func TestSignInReachesTheIdentityStoreAsTheReadOnlyRoleThroughItsHop(t *testing.T) {
	ctx := context.Background()
	cfg := emulator.Config(t)
	chain := signin.StoreRoleChain(fixture.Namespace, hubAccount, idcAccount)
	for _, tc := range []struct {
		name string
		hops int
		want string
	}{
		{"the first hop is the hub's read-only IDC hop", 1,
			"arn:aws:sts::" + hubAccount + ":assumed-role/" + names.Physical(fixture.Namespace, names.IdcReadOnlyHopRole) + "/sso"},
		{"the second hop is the read-only role in the IDC account", 2,
			"arn:aws:sts::" + idcAccount + ":assumed-role/" + names.Physical(fixture.Namespace, names.IdcReadOnlyRole) + "/sso"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := sts.NewFromConfig(rolechain.Chain(cfg, "sso", chain[:tc.hops]...)).
				GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.Arn); got != tc.want {
				t.Errorf("caller = %s, want %s", got, tc.want)
			}
		})
	}
}
