package awscfg

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

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
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, accountID, names.Physical(namespace, base))
}

// Chain returns cfg with credentials that assume each role in turn, each
// hop signed with the previous hop's credentials: the hub's hop role for
// the target first, then the role in the target account (HopChain). Credentials are cached
// and refresh themselves, so a long task outlives role chaining's one-hour
// session cap. Nothing is called until a client first needs credentials.
func Chain(cfg aws.Config, session string, roleARNs ...string) aws.Config {
	out := cfg.Copy()
	for _, arn := range roleARNs {
		prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(out), arn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = session
		})
		out = out.Copy()
		out.Credentials = aws.NewCredentialsCache(prov)
	}
	return out
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

// ChainTo is Chain through HopChain in the "aws" partition.
func ChainTo(cfg aws.Config, session, hubAccountID, namespace, account, target string) aws.Config {
	return Chain(cfg, session, HopChain("aws", hubAccountID, namespace, account, target)...)
}
