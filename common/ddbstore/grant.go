package ddbstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
)

// candidateBatch is how many available accounts one index read returns.
// Grants try them in random order, so concurrent grants rarely collide.
const candidateBatch = 10

// GrantRequest asks for an available account for a pending lease.
type GrantRequest struct {
	// Lease is the pending lease as read; the grant is conditional on its
	// version and status.
	Lease      lease.Lease
	ApprovedBy string
	Now        time.Time
	// Cooldown prefers accounts whose last cleanup finished longer ago
	// than this; fresher accounts are used only when no other is left.
	Cooldown time.Duration
	// Announce, when set, returns the events that announce the grant; they
	// are written to the outbox in the grant's transaction.
	Announce func(lease.Lease, account.Account) ([]events.Record, error)
	// New, when set, means Lease is a pending lease that is not stored yet
	// (a request that needs no approval): the grant's transaction creates
	// it directly in Active and raises the user's lease count on condition
	// that it is below MaxPerUser (0 means no limit). Nothing at all is
	// written when the pool is empty or the user is at the limit
	// (*fault.LimitError).
	New        bool
	MaxPerUser int
}

// Granted is the outcome of a grant.
type Granted struct {
	Lease   lease.Lease
	Account account.Account
	// Attempts counts the transactions tried (1 when nobody raced us);
	// CandidatesRead counts the index entries read.
	Attempts, CandidatesRead int
}

// Grant gives an available account to a pending lease in one
// TransactWriteItems: the account goes Available→Active on its version and
// the lease PendingApproval→Active on its version, or neither changes.
// Candidates come from the status index, oldest cleanup first, those past
// the cooldown before the others. A candidate taken by a concurrent grant
// is skipped. When no candidate is left the error is fault.PoolEmpty; when
// the lease itself changed it is a fault.Conflict on the lease.
func (s *Store) Grant(ctx context.Context, r GrantRequest) (Granted, error) {
	var g Granted
	active, err := r.Lease.Transition(lease.Active, r.Now)
	if err != nil {
		return g, err
	}
	active.ApprovedBy = r.ApprovedBy
	active.StartDate = r.Now
	active.LastCheckedDate = r.Now
	if d := r.Lease.LeaseDurationInHours; d != nil {
		exp := r.Now.Add(time.Duration(*d * float64(time.Hour)))
		active.ExpirationDate = &exp
	}

	cutoff := fmtTime(r.Now.Add(-r.Cooldown))
	for _, cond := range []string{"#t <= :cut", "#t > :cut"} {
		in := dynamodb.QueryInput{
			TableName:                aws.String(s.tables.Accounts),
			IndexName:                aws.String(names.StatusIndex),
			KeyConditionExpression:   aws.String("#s = :s AND " + cond),
			ExpressionAttributeNames: map[string]string{"#s": names.AttrStatus, "#t": names.AttrStatusChangedAt},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":s": str(string(account.Available)), ":cut": str(cutoff),
			},
			Limit: aws.Int32(candidateBatch),
		}
		for {
			out, err := s.db.Query(ctx, &in)
			if err != nil {
				return g, fmt.Errorf("grant lease %s: find available accounts: %w", r.Lease.Key, err)
			}
			g.CandidatesRead += len(out.Items)
			candidates, err := decodeAccounts(out.Items)
			if err != nil {
				return g, err
			}
			rand.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
			for _, c := range candidates {
				g.Attempts++
				granted, acct, taken, err := s.tryGrant(ctx, c, r, active)
				if err != nil {
					return g, err
				}
				if !taken {
					g.Lease, g.Account = granted, acct
					return g, nil
				}
			}
			if len(out.LastEvaluatedKey) == 0 {
				break
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}
	return g, fault.PoolEmpty
}

// tryGrant runs the grant transaction for one candidate. taken reports
// that a concurrent writer changed the candidate first.
func (s *Store) tryGrant(ctx context.Context, c account.Account, r GrantRequest, active lease.Lease) (lease.Lease, account.Account, bool, error) {
	read := r.Lease
	next, err := c.Move(account.Active, r.Now)
	if err != nil {
		return read, c, true, nil // the index was stale: not Available any more
	}
	key := active.Key
	next.Lease = &key
	acctPut, next, err := s.Accounts().savePut(c, next)
	if err != nil {
		return read, c, false, err
	}
	active.AccountID = c.ID
	var leaseItems []types.TransactWriteItem
	if r.New {
		put, created, err := s.Leases().createPut(active)
		if err != nil {
			return read, c, false, err
		}
		active = created
		quota := s.Leases().quotaRaise(active.UserEmail, r.MaxPerUser)
		leaseItems = []types.TransactWriteItem{put, {Update: &quota}}
	} else {
		put, saved, err := s.Leases().savePut(read, active)
		if err != nil {
			return read, c, false, err
		}
		active = saved
		leaseItems = []types.TransactWriteItem{{Put: &put}}
	}
	var recs []events.Record
	if r.Announce != nil {
		if recs, err = r.Announce(active, next); err != nil {
			return read, c, false, fmt.Errorf("announce grant of %s to lease %s: %w", c.ID, read.Key, err)
		}
	}
	err = s.commit(ctx, append([]types.TransactWriteItem{{Put: &acctPut}}, leaseItems...), recs)
	reasons := cancelReasons(err)
	switch {
	case err == nil:
		return active, next, false, nil
	case reasons == nil:
		return read, c, false, fmt.Errorf("grant account %s to lease %s: %w", c.ID, read.Key, err)
	case r.New && len(reasons) > 2 && reasons[2] == "ConditionalCheckFailed":
		return read, c, false, &fault.LimitError{Limit: "maxLeasesPerUser", Value: r.MaxPerUser}
	case r.New && len(reasons) > 2 && reasons[2] == "TransactionConflict":
		return read, c, false, &fault.ConflictError{Entity: "lease", Key: read.Key.String(),
			Reason: "a concurrent request for the same user won; retry"}
	case len(reasons) > 1 && reasons[1] == "ConditionalCheckFailed":
		return read, c, false, &fault.ConflictError{Entity: "lease", Key: read.Key.String(),
			Reason: "it changed while an account was being granted"}
	case lostRace(reasons[0]) || (len(reasons) > 1 && reasons[1] == "TransactionConflict"):
		return read, c, true, nil
	default:
		return read, c, false, fmt.Errorf("grant account %s to lease %s: transaction cancelled: %v", c.ID, read.Key, reasons)
	}
}
