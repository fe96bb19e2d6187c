package ddbstore

import (
	"cmp"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
)

// candidatePage is how many available accounts one index read returns.
// A grant picks one of them at random: concurrent grants all read the
// same oldest-cleaned accounts, and a random pick in a page this wide
// sends 200 simultaneous requests on 50 accounts to different accounts
// mostly, where a page of 10 made twenty requests want each account. Fifty
// account items are about two read units.
const candidatePage = 50

// Grant gives an available account to a pending lease in one
// TransactWriteItems: the account goes Available→Active on its version and
// the lease PendingApproval→Active on its version, or neither changes.
// Candidates come from the status index in the windows and order
// account.CandidateWindows gives, and account.PickCandidate picks one of
// the first page; the lease starts as lease.Lease.Start says and the
// account is granted as account.Account.GrantTo says. A candidate taken by a concurrent grant is skipped and another is
// picked from a fresh read. A transaction DynamoDB cancels for a
// TransactionConflict is tried again with jittered backoff within the
// store's Backoff (and the context's deadline): an account another
// transaction held is put aside until no other is left, a conflict on the
// lease or the user's quota item retries the grant. When no candidate is
// left the error is fault.PoolEmpty; when the lease itself changed it is a
// fault.Conflict on the lease, as it is when conflicts outlast the budget.
func (s *Store) Grant(ctx context.Context, r account.GrantRequest) (account.Granted, error) {
	var g account.Granted
	active, err := r.Lease.Start(r.ApprovedBy, r.Now)
	if err != nil {
		return g, err
	}

	retry := s.retrier(ctx)
	// gone: accounts a concurrent grant took; busy: accounts another
	// transaction held when we tried, which come back if it fails.
	gone, busy := map[string]bool{}, map[string]bool{}
	skip := func(id string) bool { return gone[id] || busy[id] }
	for {
		c, found, err := s.pickCandidate(ctx, r, skip, &g)
		if err != nil {
			return g, err
		}
		if !found {
			if len(busy) == 0 {
				return g, fault.PoolEmpty
			}
			// Look again at the accounts others held: taken by now, or
			// free again because their transaction failed.
			clear(busy)
			if !retry.wait(ctx) {
				if _, left, err := s.pickCandidate(ctx, r, skip, &g); err != nil || !left {
					return g, cmp.Or(err, fault.PoolEmpty)
				}
				return g, &fault.ConflictError{Entity: "lease", Key: r.Lease.Key.String(),
					Reason: "concurrent grants kept the remaining accounts busy; retry"}
			}
			continue
		}
		outcome, granted, acct, err := s.tryGrant(ctx, c, r, active)
		if outcome != accountStale {
			g.Attempts++
		}
		switch outcome {
		case grantDone:
			g.Lease, g.Account = granted, acct
			return g, nil
		case accountGone, accountStale:
			gone[c.ID] = true
		case accountBusy:
			busy[c.ID] = true
			// Other accounts are tried at once, but not a whole pool of
			// them in a tight loop: every third one waits its turn.
			if len(busy)%3 == 0 && !retry.wait(ctx) {
				return g, &fault.ConflictError{Entity: "lease", Key: r.Lease.Key.String(),
					Reason: "concurrent grants kept the accounts busy; retry"}
			}
		case grantAgain:
			if !retry.wait(ctx) {
				return g, &fault.ConflictError{Entity: "lease", Key: r.Lease.Key.String(),
					Reason: "concurrent requests for the same user kept it busy; retry"}
			}
		default:
			return g, err
		}
	}
}

// pickCandidate reads the status index in the order
// account.CandidateWindows gives and returns the account
// account.PickCandidate picks from the first page that holds any account
// skip does not exclude. found is false when none is left.
func (s *Store) pickCandidate(
	ctx context.Context,
	r account.GrantRequest,
	skip func(id string) bool,
	g *account.Granted,
) (c account.Account, found bool, err error) {
	for _, w := range account.CandidateWindows(r.Now, r.Cooldown) {
		in := dynamodb.QueryInput{
			TableName:                aws.String(s.tables.Accounts),
			IndexName:                aws.String(names.StatusIndex),
			KeyConditionExpression:   aws.String("#s = :s"),
			ExpressionAttributeNames: map[string]string{"#s": names.AttrStatus},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":s": str(string(account.Available)),
			},
			Limit: aws.Int32(candidatePage),
		}
		// The window is a range of the index's sort key.
		switch {
		case !w.Until.IsZero():
			*in.KeyConditionExpression += " AND #t <= :t"
			in.ExpressionAttributeValues[":t"] = str(fmtTime(w.Until))
		case !w.After.IsZero():
			*in.KeyConditionExpression += " AND #t > :t"
			in.ExpressionAttributeValues[":t"] = str(fmtTime(w.After))
		}
		if !w.Until.IsZero() || !w.After.IsZero() {
			in.ExpressionAttributeNames["#t"] = names.AttrStatusChangedAt
		}
		for {
			out, err := s.db.Query(ctx, &in)
			if err != nil {
				return c, false, fmt.Errorf("grant lease %s: find available accounts: %w", r.Lease.Key, err)
			}
			g.CandidatesRead += len(out.Items)
			candidates, err := decodeAccounts(out.Items)
			if err != nil {
				return c, false, err
			}
			if c, found := account.PickCandidate(candidates, skip); found {
				return c, true, nil
			}
			if len(out.LastEvaluatedKey) == 0 {
				break
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}
	return c, false, nil
}

// grantOutcome is what one grant transaction came to.
type grantOutcome int

const (
	grantFailed  grantOutcome = iota // an error the caller gets
	grantDone                        // the account is the lease's
	accountGone                      // a concurrent grant took the account
	accountStale                     // the index was stale: no transaction was tried
	accountBusy                      // another transaction held the account
	grantAgain                       // another transaction held the lease or the quota item
)

// tryGrant runs the grant transaction for one candidate, once.
func (s *Store) tryGrant(
	ctx context.Context,
	c account.Account,
	r account.GrantRequest,
	active lease.Lease,
) (grantOutcome, lease.Lease, account.Account, error) {
	read := r.Lease
	next, err := c.GrantTo(active.Key, r.Now)
	if err != nil {
		return accountStale, read, c, nil // not Available any more
	}
	acctPut, next, err := s.Accounts().savePut(c, next)
	if err != nil {
		return grantFailed, read, c, err
	}
	active.AccountID = c.ID
	var leaseItems []types.TransactWriteItem
	if r.New {
		put, created, err := s.Leases().createPut(active)
		if err != nil {
			return grantFailed, read, c, err
		}
		active = created
		quota := s.Leases().quotaRaise(active.UserEmail, r.MaxPerUser)
		leaseItems = []types.TransactWriteItem{put, {Update: &quota}}
	} else {
		put, saved, err := s.Leases().savePut(read, active)
		if err != nil {
			return grantFailed, read, c, err
		}
		active = saved
		leaseItems = []types.TransactWriteItem{{Put: &put}}
	}
	var recs []events.Record
	if r.Announce != nil {
		if recs, err = r.Announce(active, next); err != nil {
			return grantFailed, read, c, fmt.Errorf("announce grant of %s to lease %s: %w", c.ID, read.Key, err)
		}
	}
	err = s.commitOnce(ctx, append([]types.TransactWriteItem{{Put: &acctPut}}, leaseItems...), recs)
	reasons := cancelReasons(err)
	switch {
	case err == nil:
		return grantDone, active, next, nil
	case reasons == nil:
		return grantFailed, read, c, fmt.Errorf("grant account %s to lease %s: %w", c.ID, read.Key, err)
	case r.New && len(reasons) > 2 && reasons[2] == "ConditionalCheckFailed":
		return grantFailed, read, c, &fault.LimitError{Limit: "maxLeasesPerUser", Value: r.MaxPerUser}
	case len(reasons) > 1 && reasons[1] == "ConditionalCheckFailed":
		return grantFailed, read, c, &fault.ConflictError{Entity: "lease", Key: read.Key.String(),
			Reason: "it changed while an account was being granted"}
	case reasons[0] == "ConditionalCheckFailed":
		return accountGone, read, c, nil
	case conflicted(err) && reasons[0] == "TransactionConflict":
		return accountBusy, read, c, nil
	case conflicted(err):
		return grantAgain, read, c, nil
	default:
		return grantFailed, read, c, fmt.Errorf(
			"grant account %s to lease %s: transaction cancelled: %v",
			c.ID,
			read.Key,
			reasons,
		)
	}
}
