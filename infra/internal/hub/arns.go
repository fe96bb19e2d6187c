// Package hub holds the hub account's cross-account identity: the
// intermediate role every cross-account call goes through, and the helpers
// other stacks use to trust it.
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
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", account, names.Physical(namespace, base))
}

// IntermediateRoleArn is the hub's intermediate role.
func IntermediateRoleArn(hubAccount, namespace string) string {
	return RoleArn(hubAccount, namespace, names.IntermediateRole)
}

// TrustIntermediateRole is the principal for a role that only the hub's
// intermediate role may assume. The trust names the hub account and pins
// the caller with aws:PrincipalArn rather than naming the role itself,
// because IAM rejects a trust policy that names a role that does not exist
// yet, and the intermediate role (Compute stack) is deployed after the
// AccountPool and IDC stacks and the StackSet instances.
func TrustIntermediateRole(hubAccount, namespace string) awsiam.IPrincipal {
	return awsiam.NewAccountPrincipal(jsii.String(hubAccount)).WithConditions(&map[string]any{
		"ArnEquals": map[string]any{"aws:PrincipalArn": IntermediateRoleArn(hubAccount, namespace)},
	})
}
