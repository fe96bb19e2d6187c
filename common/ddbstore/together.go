package ddbstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

// SaveLeaseAndAccount writes a lease change and an account change in one
// transaction, each conditional on the version and status it was read at,
// with recs in the outbox: ending a lease and sending its account to
// cleanup (or quarantine) happen together or not at all. The lease's
// transition and the account's move are checked as Save checks them, and a
// lease that stops counting toward the user's limit lowers the count in
// the same transaction.
func (s *Store) SaveLeaseAndAccount(
	ctx context.Context,
	lRead, lNext lease.Lease,
	aRead, aNext account.Account,
	recs ...events.Record,
) (lease.Lease, account.Account, error) {
	ls, as := s.Leases(), s.Accounts()
	lPut, lNext, err := ls.savePut(lRead, lNext)
	if err != nil {
		return lNext, aNext, err
	}
	aPut, aNext, err := as.savePut(aRead, aNext)
	if err != nil {
		return lNext, aNext, err
	}
	items := []types.TransactWriteItem{{Put: &lPut}, {Put: &aPut}}
	if lRead.Status.CountsTowardLimit() && !lNext.Status.CountsTowardLimit() {
		items = append(items, ls.quotaLower(lRead.UserEmail))
	}
	err = s.commit(ctx, items, recs)
	if reasons := cancelReasons(err); reasons != nil {
		var tce *types.TransactionCanceledException
		if errors.As(err, &tce) && len(tce.CancellationReasons) > 1 {
			if r := tce.CancellationReasons[1]; r.Code != nil && lostRace(*r.Code) {
				return lNext, aNext, itemConflict("account", aRead.ID, r, aRead.Version)
			}
		}
		if conflict := firstItemConflict(err, "lease", lRead.Key.String(), lRead.Version); conflict != nil {
			return lNext, aNext, conflict
		}
		return lNext, aNext, &fault.ConflictError{
			Entity: "lease",
			Key:    lRead.Key.String(),
			Reason: "a concurrent change won; retry",
		}
	}
	if err != nil {
		return lNext, aNext, fmt.Errorf("save lease %s and account %s: %w", lRead.Key, aRead.ID, err)
	}
	return lNext, aNext, nil
}
