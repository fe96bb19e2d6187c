package chain

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/awscfg/chaintest"
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
			chaintest.Want(t, "chain", tc.got, tc.want...)
		})
	}
}

func TestTheLifecycleRidesOutThrottlingWithoutARetryQuota(t *testing.T) {
	r := Patient(aws.Config{Retryer: func() aws.Retryer { return nil }, RetryMaxAttempts: 1}).Retryer()
	if got := r.MaxAttempts(); got != MaxAttempts {
		t.Errorf("max attempts = %d, want %d", got, MaxAttempts)
	}
	// The default quota (500 tokens, 5 per retry) refuses the 101st retry
	// in a row; without it every throttled call backs off instead.
	for i := range 200 {
		if _, err := r.GetRetryToken(t.Context(), errors.New("throttled")); err != nil {
			t.Fatalf("retry %d refused: %v", i+1, err)
		}
	}
}
