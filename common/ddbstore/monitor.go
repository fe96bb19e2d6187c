package ddbstore

import (
	"context"
	"errors"
	"fmt"
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

// Attributes the lease monitor updates in place. They are the json tags of
// leaseItem; TestMonitorAttributesAreLeaseItemAttributes keeps them in step.
const (
	attrTotalCost      = "totalCostAccrued"
	attrLastChecked    = "lastCheckedDate"
	attrLastModified   = "lastModifiedDate"
	attrEndRequested   = "endRequested"
	attrEndRequestedAt = "endRequestedAt"
)

// AllByStatus returns every lease the query selects, following the status
// index's pages to the end. It is for the lease monitor, which needs the
// whole set at once; listings for people use ListByStatus.
func (ls LeaseStore) AllByStatus(ctx context.Context, q StatusQuery) ([]lease.Lease, error) {
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

// RecordCost writes what one monitoring pass learned about a lease: the
// cost accrued, when it was checked and, when endRequested is not empty,
// the terminal status the monitor asked for. Only those attributes change
// (and the version goes up by one), so a concurrent change to anything else
// is never undone, unlike upstream's whole-row overwrite.
//
// The write is conditional on the lease still existing in the status it
// was read in: a lease terminated or frozen meanwhile is left alone and the
// error is a *fault.ConflictError. When recs are given the write also
// requires the version read, because the events were decided on the terms
// read (a manager's concurrent patch must not be answered with an event
// about the old terms); the update and the outbox records are then one
// transaction.
func (ls LeaseStore) RecordCost(ctx context.Context, read lease.Lease, cost float64, checkedAt time.Time,
	endRequested lease.Status, recs ...events.Record) error {
	update := ls.costUpdate(read, cost, checkedAt, endRequested, len(recs) > 0)
	attrNames, values := update.ExpressionAttributeNames, update.ExpressionAttributeValues
	if len(recs) == 0 {
		_, err := ls.s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: update.TableName, Key: update.Key, UpdateExpression: update.UpdateExpression,
			ConditionExpression: update.ConditionExpression, ExpressionAttributeNames: attrNames,
			ExpressionAttributeValues: values,
		})
		var ccf *types.ConditionalCheckFailedException
		if errors.As(err, &ccf) {
			return monitorConflict(read)
		}
		if err != nil {
			return fmt.Errorf("record cost of lease %s: %w", read.Key, err)
		}
		return nil
	}
	err := ls.s.commit(ctx, []types.TransactWriteItem{{Update: &update}}, recs)
	if reasons := cancelReasons(err); reasons != nil && lostRace(reasons[0]) {
		return monitorConflict(read)
	}
	if err != nil {
		return fmt.Errorf("record cost of lease %s with %d events: %w", read.Key, len(recs), err)
	}
	return nil
}

// costUpdate is the update RecordCost makes; withVersion adds the version
// read to the condition.
func (ls LeaseStore) costUpdate(read lease.Lease, cost float64, checkedAt time.Time, endRequested lease.Status, withVersion bool) types.Update {
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

// CostRecord is one cost-only write of a monitoring pass: no events, no
// end requested.
type CostRecord struct {
	Read      lease.Lease
	Cost      float64
	CheckedAt time.Time
}

// MaxCostRecords is how many cost-only writes RecordCosts takes at once.
const MaxCostRecords = 25

// RecordCosts makes up to MaxCostRecords cost-only writes (RecordCost's
// update, each conditional on the status read) in one transaction: one
// request instead of 25. A lease whose condition fails (changed or
// deleted meanwhile) is left out and returned in conflicts, and the
// transaction is made again without it, so one concurrent termination
// never holds back the others.
func (ls LeaseStore) RecordCosts(ctx context.Context, recs []CostRecord) (conflicts []lease.Key, err error) {
	if len(recs) > MaxCostRecords {
		return nil, fmt.Errorf("record costs of %d leases: at most %d at once", len(recs), MaxCostRecords)
	}
	pending := recs
	for len(pending) > 0 {
		items := make([]types.TransactWriteItem, len(pending))
		for i, r := range pending {
			u := ls.costUpdate(r.Read, r.Cost, r.CheckedAt, "", false)
			items[i] = types.TransactWriteItem{Update: &u}
		}
		_, err := ls.s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return conflicts, nil
		}
		reasons := cancelReasons(err)
		if len(reasons) != len(pending) {
			return conflicts, fmt.Errorf("record costs of %d leases: %w", len(pending), err)
		}
		var keep []CostRecord
		for i, code := range reasons {
			if lostRace(code) {
				conflicts = append(conflicts, pending[i].Read.Key)
			} else {
				keep = append(keep, pending[i])
			}
		}
		if len(keep) == len(pending) {
			return conflicts, fmt.Errorf("record costs of %d leases: %w", len(pending), err)
		}
		pending = keep
	}
	return conflicts, nil
}

func monitorConflict(read lease.Lease) error {
	return &fault.ConflictError{Entity: "lease", Key: read.Key.String(),
		Reason: fmt.Sprintf("it is no longer %s at version %d (changed or deleted meanwhile)", read.Status, read.Version)}
}

// Import writes leases in batches of 25 without conditions and without
// touching the per-user counts. It is for seeding an empty table
// (benchmarks, local mode); use Create otherwise.
func (ls LeaseStore) Import(ctx context.Context, leases []lease.Lease) error {
	for start := 0; start < len(leases); start += 25 {
		end := min(start+25, len(leases))
		reqs := make([]types.WriteRequest, 0, end-start)
		for _, l := range leases[start:end] {
			stampNew(&l.Version, &l.CreatedAt, &l.UpdatedAt, &l.StatusChangedAt)
			item, err := leaseToItem(l)
			if err != nil {
				return err
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		}
		for len(reqs) > 0 {
			out, err := ls.s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{ls.s.tables.Leases: reqs},
			})
			if err != nil {
				return fmt.Errorf("import leases: %w", err)
			}
			reqs = out.UnprocessedItems[ls.s.tables.Leases]
		}
	}
	return nil
}

// CountByStatus counts the accounts in a status through the status index
// (Select COUNT, every page), reading no items.
func (as AccountStore) CountByStatus(ctx context.Context, status account.Status) (int, error) {
	in := as.s.statusQuery(as.s.tables.Accounts, StatusQuery{Status: string(status)})
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
