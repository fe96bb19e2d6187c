package idc

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestTheNotifierReadsIdentityCenterThroughTheReadOnlyHop(t *testing.T) {
	c := ReadOnly(aws.Config{}, "ns", "111111111111", "email-notifier", "param")
	got := c.Roles("333333333333")
	want := []string{"arn:aws:iam::111111111111:role/isb-ns-IdcReadOnlyHopRole",
		"arn:aws:iam::333333333333:role/isb-ns-IdcReadOnlyRole"}
	if !slices.Equal(got, want) {
		t.Errorf("chain = %v, want %v", got, want)
	}
}
