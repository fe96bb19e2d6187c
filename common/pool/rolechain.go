package pool

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
)

// RoleArn is the ARN of an ISB role in an account.
func RoleArn(accountID, namespace, base string) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", accountID, names.Physical(namespace, base))
}

// Chain returns cfg with credentials that assume each role in turn, each
// hop with the previous hop's credentials (cached, refreshed on expiry).
func Chain(cfg aws.Config, session string, roleArns ...string) aws.Config {
	out := cfg.Copy()
	for _, arn := range roleArns {
		prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(out), arn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = session
		})
		out = out.Copy()
		out.Credentials = aws.NewCredentialsCache(prov)
	}
	return out
}

// OrgThroughChain returns an OrgFactory that reaches the management account
// through the hub's intermediate role and the OrgMgt role, building the
// client once per management account.
func OrgThroughChain(cfg aws.Config, namespace, hubAccountID string) OrgFactory {
	var mu sync.Mutex
	clients := map[string]Organizations{}
	return func(_ context.Context, p config.AccountPoolParam) (Organizations, error) {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := clients[p.OrgMgtAccountID]; ok {
			return c, nil
		}
		chained := Chain(cfg, names.Physical(namespace, "api-accounts"),
			RoleArn(hubAccountID, namespace, names.IntermediateRole),
			RoleArn(p.OrgMgtAccountID, namespace, names.OrgMgtRole))
		c := organizations.NewFromConfig(chained)
		clients[p.OrgMgtAccountID] = c
		return c, nil
	}
}
