// Package stsassume assumes the lessee role through the hub's lessee hop.
// It is apart from lessee so that only the function that hands out
// sessions links the STS client.
package stsassume

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/lessee"
	"github.com/isb-go/isb/common/names"
)

// Assumer holds STS signed as the hub's lessee hop.
type Assumer struct {
	sts       *sts.Client
	namespace string
}

// New returns the assumer. session names the function in CloudTrail on
// the hop; nothing is called before the first Assume.
func New(cfg aws.Config, namespace, hubAccountID, session string) *Assumer {
	hop := rolechain.Chain(cfg, names.Physical(namespace, session),
		awscfg.RoleARN(hubAccountID, namespace, names.LesseeHopRole))
	return &Assumer{sts: sts.NewFromConfig(hop), namespace: namespace}
}

// Assume assumes the lessee role in account.
func (a *Assumer) Assume(ctx context.Context, account string, s lessee.Session) (lessee.Credentials, error) {
	out, err := a.sts.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(awscfg.RoleARN(account, a.namespace, names.LesseeRole)),
		RoleSessionName: aws.String(s.Name),
		SourceIdentity:  aws.String(s.SourceIdentity),
		DurationSeconds: aws.Int32(int32(s.Duration.Seconds())),
	})
	if err != nil {
		return lessee.Credentials{}, fmt.Errorf("assume the lessee role: %w", err)
	}
	c := out.Credentials
	if c == nil {
		return lessee.Credentials{}, fmt.Errorf("assume the lessee role: STS returned no credentials")
	}
	return lessee.Credentials{Version: 1, AccessKeyID: aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken),
		Expiration: aws.ToTime(c.Expiration)}, nil
}
