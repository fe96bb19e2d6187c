package ddbstore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/page"
)

// Attributes the lease monitor updates in place. They are the json tags of
// leaseItem; TestMonitorAttributesAreLeaseItemAttributes keeps them in step.
const (
	attrTotalCost      = "totalCostAccrued"
	attrLastChecked    = "lastCheckedDate"
	attrLastModified   = names.AttrLastModified
	attrEndRequested   = "endRequested"
	attrEndRequestedAt = "endRequestedAt"
)

// AllByStatus returns every lease the query selects, following the status
// index's pages to the end. It is for the lease monitor, which needs the
// whole set at once; listings for people use ListByStatus.
func (ls LeaseStore) AllByStatus(ctx context.Context, q page.StatusQuery) ([]lease.Lease, error) {
	status := q.Status
	in := ls.s.statusQuery(ls.s.tables.Leases, q)
	p := dynamodb.NewQueryPaginator(ls.s.db, &in)
	var out []lease.Lease
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s leases: query %s: %w", status, ls.s.tables.Leases, err)
		}
		leases, err := decodeLeases(page.Items)
		if err != nil {
			return nil, fmt.Errorf("list %s leases: %w", status, err)
		}
		out = append(out, leases...)
	}
	return out, nil
}

// costUpdate is the update of one lease.CostRecord: only the cost fields (and
// the end requested) change, and the version goes up by one, so a
// concurrent change to anything else is never undone, unlike upstream's
// whole-row overwrite. It is conditional on the lease still existing in
// the status it was read in; withVersion adds the version read, for a
// write that carries events, because they were decided on the terms read
// (a manager's concurrent patch must not be answered with an event about
// the old terms).
func (ls LeaseStore) costUpdate(
	read lease.Lease,
	cost float64,
	checkedAt time.Time,
	endRequested lease.Status,
	withVersion bool,
) types.Update {
	set := "SET #cost = :cost, #checked = :checked, #modified = :modified"
	attrNames := map[string]string{
		"#cost": attrTotalCost, "#checked": attrLastChecked, "#modified": attrLastModified,
		"#v": names.AttrVersion, "#s": names.AttrStatus, "#sk": names.AttrUUID,
	}
	values := map[string]types.AttributeValue{
		":cost":     &types.AttributeValueMemberN{Value: fmt.Sprint(cost)},
		":checked":  str(fmtTime(checkedAt)),
		":modified": str(fmtTime(time.Now())),
		":one":      num(1),
		":s":        str(string(read.Status)),
	}
	if endRequested != "" {
		set += ", #er = :er, #erAt = :checked"
		attrNames["#er"], attrNames["#erAt"] = attrEndRequested, attrEndRequestedAt
		values[":er"] = str(string(endRequested))
	}
	cond := "attribute_exists(#sk) AND #s = :s"
	if withVersion {
		cond += " AND #v = :v"
		values[":v"] = num(read.Version)
	}
	return types.Update{
		TableName: aws.String(ls.s.tables.Leases), Key: leaseKey(read.Key),
		UpdateExpression:          aws.String(set + " ADD #v :one"),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  attrNames,
		ExpressionAttributeValues: values,
	}
}

// MaxCostRecords is how many leases RecordCosts writes at once.
const MaxCostRecords = 25

// maxTransactItems is DynamoDB's limit of items in one transaction.
const maxTransactItems = 100

// RecordCosts writes up to MaxCostRecords leases' costs, with their events
// in the outbox, in one transaction: one request instead of one per
// lease. A lease whose condition fails (changed or deleted meanwhile) is
// left out, with its events, and returned in conflicts; the transaction is
// then made again without it, so one concurrent termination never holds
// back the others.
func (ls LeaseStore) RecordCosts(ctx context.Context, recs []lease.CostRecord) (conflicts []lease.Key, err error) {
	total := 0
	for _, r := range recs {
		total += 1 + len(r.Events)
	}
	if len(recs) > MaxCostRecords || total > maxTransactItems {
		return nil, fmt.Errorf("record costs of %d leases (%d items): at most %d leases and %d items at once",
			len(recs), total, MaxCostRecords, maxTransactItems)
	}
	pending := recs
	for len(pending) > 0 {
		// The leases' updates come first, so cancellation reason i is
		// lease i's; the outbox puts follow.
		items := make([]types.TransactWriteItem, 0, len(pending))
		var outbox []events.Record
		for _, r := range pending {
			u := ls.costUpdate(r.Read, r.Cost, r.CheckedAt, r.End, len(r.Events) > 0)
			items = append(items, types.TransactWriteItem{Update: &u})
			outbox = append(outbox, r.Events...)
		}
		err := ls.s.commit(ctx, items, outbox)
		if err == nil {
			return conflicts, nil
		}
		reasons := cancelReasons(err)
		if len(reasons) < len(pending) {
			return conflicts, fmt.Errorf("record costs of %d leases: %w", len(pending), err)
		}
		var keep []lease.CostRecord
		for i, r := range pending {
			if lostRace(reasons[i]) {
				conflicts = append(conflicts, r.Read.Key)
			} else {
				keep = append(keep, r)
			}
		}
		if len(keep) == len(pending) {
			return conflicts, fmt.Errorf("record costs of %d leases: %w", len(pending), err)
		}
		pending = keep
	}
	return conflicts, nil
}

// Import writes leases in batches of 25 without conditions and without
// touching the per-user counts. It is for seeding an empty table
// (benchmarks, local mode); use Create otherwise.
func (ls LeaseStore) Import(ctx context.Context, leases []lease.Lease) error {
	return importAll(ctx, ls.s, ls.s.tables.Leases, "leases", leases,
		func(l lease.Lease) (map[string]types.AttributeValue, error) {
			stampNew(&l.Version, &l.CreatedAt, &l.UpdatedAt, &l.StatusChangedAt)
			return leaseToItem(l)
		})
}

// CountByStatus counts the accounts in a status through the status index
// (Select COUNT, every page), reading no items.
func (as AccountStore) CountByStatus(ctx context.Context, status account.Status) (int, error) {
	in := as.s.statusQuery(as.s.tables.Accounts, page.StatusQuery{Status: string(status)})
	in.Select = types.SelectCount
	p := dynamodb.NewQueryPaginator(as.s.db, &in)
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("count %s accounts: %w", status, err)
		}
		n += int(page.Count)
	}
	return n, nil
}
