package awscfg

import (
	"fmt"

	"github.com/isb-go/isb/common/names"
)

// RoleARN is the ARN of a platform role (a names.*Role base) in an
// account, in the "aws" partition.
func RoleARN(accountID, namespace, base string) string {
	return RoleARNIn("aws", accountID, namespace, base)
}

// RoleARNIn is RoleARN in another partition (aws-us-gov, aws-cn, …).
func RoleARNIn(partition, accountID, namespace, base string) string {
	if partition == "" {
		partition = "aws"
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, accountID, names.RoleName(namespace, base))
}

// HopChain returns the two roles that reach target (a names.*Role base such
// as names.IdcReadOnlyRole) in account: the hub's hop for that target
// (names.HopFor), then the target itself. An unknown target is a
// programming error and panics.
func HopChain(partition, hubAccountID, namespace, account, target string) []string {
	hop, ok := names.HopFor(target)
	if !ok {
		panic(fmt.Sprintf("awscfg: %q is not a cross-account target role", target))
	}
	return []string{
		RoleARNIn(partition, hubAccountID, namespace, hop),
		RoleARNIn(partition, account, namespace, target),
	}
}
