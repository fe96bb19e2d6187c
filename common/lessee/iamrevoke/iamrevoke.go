// Package iamrevoke ends a lease's sessions in its account: it puts on the
// lessee role a deny of every action to tokens issued before a time
// (AWS's "revoke active sessions"), through the hub's sandbox hop and the
// cleanup role, which the control-plane SCP lets change the lessee role.
package iamrevoke

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/names"
)

// PolicyName is the lessee role's inline revocation policy.
const PolicyName = "RevokeEndedLeaseSessions"

// Revoker changes the lessee role in pool accounts.
type Revoker struct {
	hops *rolechain.Hops[*iam.Client]
	role string
}

// New returns the revoker; session names the caller in CloudTrail.
func New(cfg aws.Config, namespace, hubAccountID, session string) *Revoker {
	return &Revoker{
		hops: rolechain.NewHops(cfg, namespace, hubAccountID, session, names.SandboxAccountRole,
			func(c aws.Config) *iam.Client { return iam.NewFromConfig(c) }),
		role: names.RoleName(namespace, names.LesseeRole),
	}
}

// Document is the deny for tokens issued before cutoff.
func Document(cutoff time.Time) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*",` +
		`"Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"` +
		cutoff.UTC().Format(time.RFC3339) + `"}}}]}`
}

// RevokeBefore denies the lessee role's sessions issued before cutoff. The
// cutoff only moves forward: a replayed or late event naming an earlier
// end never shortens a later one's deny, and a repeat is a no-op. The
// deny is never removed: it affects only tokens issued before the last
// lease ended, which a later lessee never holds, while removing it would
// revive an ended lease's sessions still inside their hour.
func (r *Revoker) RevokeBefore(ctx context.Context, account string, cutoff time.Time) error {
	c := r.hops.Client(account)
	cur, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(r.role),
		PolicyName: aws.String(PolicyName)})
	var missing *iamtypes.NoSuchEntityException
	switch {
	case errors.As(err, &missing):
	case err != nil:
		return fmt.Errorf("account %s: read the lessee role's revocation: %w", account, err)
	default:
		if have, ok := cutoffOf(aws.ToString(cur.PolicyDocument)); ok && !cutoff.After(have) {
			return nil
		}
	}
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.role),
		PolicyName: aws.String(PolicyName), PolicyDocument: aws.String(Document(cutoff))})
	if errors.As(err, &missing) {
		// No lessee role (an account whose StackSet instance predates it):
		// no session was ever issued in it.
		slog.WarnContext(ctx, "no lessee role to revoke", "accountId", account)
		return nil
	}
	if err != nil {
		return fmt.Errorf("account %s: revoke the lessee role's sessions: %w", account, err)
	}
	return nil
}

// Cutoff reads the cutoff of a revocation policy document (IAM returns it
// URL-encoded).
func cutoffOf(doc string) (time.Time, bool) {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var p struct {
		Statement []struct {
			Condition map[string]map[string]string
		}
	}
	if json.Unmarshal([]byte(doc), &p) != nil || len(p.Statement) != 1 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, p.Statement[0].Condition["DateLessThan"]["aws:TokenIssueTime"])
	return t, err == nil
}
