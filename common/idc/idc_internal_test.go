package idc

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/awscfg/chaintest"
)

func TestTheNotifierReadsIdentityCenterThroughTheReadOnlyHop(t *testing.T) {
	c := ReadOnly(aws.Config{}, "ns", "111111111111", "email-notifier", "param")
	chaintest.Want(t, "chain", c.Roles("333333333333"), "arn:aws:iam::111111111111:role/isb-ns-IdcReadOnlyHopRole",
		"arn:aws:iam::333333333333:role/isb-ns-IdcReadOnlyRole")
}
