// Package hub holds the hub account's cross-account identity: one hop role
// per target (management, read-write and read-only Identity Center, pool
// accounts), each trusted only by the functions that reach that target,
// and the helpers the target roles use to trust their one hop.
package hub

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
)

// RoleArn is the ARN of an ISB role in another account. The partition is
// the standard one; GovCloud and China are not supported yet.
func RoleArn(account, namespace, base string) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", account, names.RoleName(namespace, base))
}

// HopRoleArn is the hub's hop role that reaches target (a names.*Role
// base such as names.IdcRole). An unknown target panics: it is a wiring
// mistake in the stacks.
func HopRoleArn(hubAccount, namespace, target string) string {
	hop, ok := names.HopFor(target)
	if !ok {
		panic(fmt.Sprintf("hub: %q is not a cross-account target role", target))
	}
	return RoleArn(hubAccount, namespace, hop)
}

// TrustHop is the principal for the target role that only its hub hop may
// assume. The trust names the hub account and pins the caller with
// aws:PrincipalArn rather than naming the hop itself, because IAM rejects
// a trust policy that names a role that does not exist yet, and the hops
// (Compute stack) are deployed after the AccountPool and IDC stacks and
// the StackSet instances.
func TrustHop(hubAccount, namespace, target string) awsiam.IPrincipal {
	return awsiam.NewAccountPrincipal(jsii.String(hubAccount)).WithConditions(&map[string]any{
		"ArnEquals": map[string]any{"aws:PrincipalArn": HopRoleArn(hubAccount, namespace, target)},
	})
}
