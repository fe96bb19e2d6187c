package ddbstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/page"
)

// quotaSK is the sort key of the per-user quota item that lives beside a
// user's leases. It sorts before every UUID, and it has no status, so the
// status index never sees it.
const quotaSK = "#quota"

const attrCount = "leaseCount"

// LeaseStore reads and writes leases.
type LeaseStore struct{ s *Store }

// Leases returns the lease store.
func (s *Store) Leases() LeaseStore { return LeaseStore{s} }

func leaseKey(k lease.Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{names.AttrUserEmail: str(k.UserEmail), names.AttrUUID: str(k.UUID)}
}

func quotaKey(email string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{names.AttrUserEmail: str(email), names.AttrUUID: str(quotaSK)}
}

// Create stores a new lease at version 1. When the lease counts toward the
// per-user limit, the same transaction raises the user's lease count,
// on condition that it is below maxPerUser (0 means no limit). A user at
// the limit gets a *fault.LimitError; nothing is written.
//
// recs are written to the outbox in the same transaction.
func (ls LeaseStore) Create(
	ctx context.Context,
	l lease.Lease,
	maxPerUser int,
	recs ...events.Record,
) (lease.Lease, error) {
	if !l.Status.Valid() {
		return l, fmt.Errorf("create lease %s: unknown status %q", l.Key, l.Status)
	}
	put, l, err := ls.createPut(l)
	if err != nil {
		return l, err
	}
	if !l.Status.CountsTowardLimit() {
		err := ls.s.commit(ctx, []types.TransactWriteItem{put}, recs)
		if conflicted(err) {
			return l, &fault.ConflictError{
				Entity: "lease",
				Key:    l.Key.String(),
				Reason: "concurrent writes kept it busy; retry",
			}
		}
		if reasons := cancelReasons(err); reasons != nil {
			return l, &fault.ConflictError{Entity: "lease", Key: l.Key.String(), Reason: "it already exists"}
		}
		if err != nil {
			return l, fmt.Errorf("create lease %s: %w", l.Key, err)
		}
		return l, nil
	}
	quota := ls.quotaRaise(l.UserEmail, maxPerUser)
	err = ls.s.commit(ctx, []types.TransactWriteItem{put, {Update: &quota}}, recs)
	if reasons := cancelReasons(err); reasons != nil {
		switch {
		case reasons[0] == "ConditionalCheckFailed":
			return l, &fault.ConflictError{Entity: "lease", Key: l.Key.String(), Reason: "it already exists"}
		case len(reasons) > 1 && reasons[1] == "ConditionalCheckFailed":
			return l, &fault.LimitError{Limit: "maxLeasesPerUser", Value: maxPerUser}
		default:
			return l, &fault.ConflictError{
				Entity: "lease",
				Key:    l.Key.String(),
				Reason: "a concurrent request for the same user won; retry",
			}
		}
	}
	if err != nil {
		return l, fmt.Errorf("create lease %s: %w", l.Key, err)
	}
	return l, nil
}

// createPut builds the put of a new lease at version 1, on condition that
// it does not exist yet.
func (ls LeaseStore) createPut(l lease.Lease) (types.TransactWriteItem, lease.Lease, error) {
	stampNew(&l.Version, &l.CreatedAt, &l.UpdatedAt, &l.StatusChangedAt)
	item, err := leaseToItem(l)
	if err != nil {
		return types.TransactWriteItem{}, l, err
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(ls.s.tables.Leases), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": names.AttrUUID},
	}}, l, nil
}

// quotaRaise raises a user's lease count by one, on condition that it is
// below maxPerUser (0 means no limit).
func (ls LeaseStore) quotaRaise(email string, maxPerUser int) types.Update {
	quota := types.Update{
		TableName:                aws.String(ls.s.tables.Leases),
		Key:                      quotaKey(email),
		UpdateExpression:         aws.String("SET #c = if_not_exists(#c, :zero) + :one"),
		ExpressionAttributeNames: map[string]string{"#c": attrCount},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":zero": num(0), ":one": num(1),
		},
	}
	if maxPerUser > 0 {
		quota.ConditionExpression = aws.String("attribute_not_exists(#c) OR #c < :max")
		quota.ExpressionAttributeValues[":max"] = num(int64(maxPerUser))
	}
	return quota
}

// Get reads one lease.
func (ls LeaseStore) Get(ctx context.Context, k lease.Key) (lease.Lease, error) {
	if k.UUID == quotaSK {
		return lease.Lease{}, &fault.NotFoundError{Entity: "lease", Key: k.String()}
	}
	return getOne(ctx, ls.s, ls.s.tables.Leases, leaseKey(k), "lease", k.String(), leaseFromItem)
}

// Count returns how many of the user's leases count toward the limit.
func (ls LeaseStore) Count(ctx context.Context, email string) (int, error) {
	out, err := ls.s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(ls.s.tables.Leases), Key: quotaKey(email), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("count leases of %s: %w", email, err)
	}
	c, ok := out.Item[attrCount].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(c.Value)
	if err != nil {
		return 0, fmt.Errorf("count leases of %s: %w", email, err)
	}
	return n, nil
}

// Save writes next over read, on condition that the stored lease is still
// at read's version and status. A status change must be allowed by the
// lease transition table. Leaving a status that counts toward the per-user
// limit lowers the count in the same transaction. It returns the lease as
// stored, at the next version.
//
// recs are written to the outbox in the same transaction, so the change and
// its announcement happen together or not at all.
func (ls LeaseStore) Save(ctx context.Context, read, next lease.Lease, recs ...events.Record) (lease.Lease, error) {
	put, next, err := ls.savePut(read, next)
	if err != nil {
		return next, err
	}
	items := []types.TransactWriteItem{{Put: &put}}
	if read.Status.CountsTowardLimit() && !next.Status.CountsTowardLimit() {
		items = append(items, ls.quotaLower(read.UserEmail))
	}
	if err := ls.s.commit(ctx, items, recs); err != nil {
		return next, ls.saveError(err, read)
	}
	return next, nil
}

// quotaLower is the transaction item that lowers a user's lease count when
// a lease stops counting toward the limit.
func (ls LeaseStore) quotaLower(email string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(ls.s.tables.Leases),
		Key:                       quotaKey(email),
		UpdateExpression:          aws.String("SET #c = if_not_exists(#c, :one) - :one"),
		ExpressionAttributeNames:  map[string]string{"#c": attrCount},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)},
	}}
}

// savePut builds the conditional put of Save, for use alone or inside a
// transaction. It checks the transition and stamps the version and times.
func (ls LeaseStore) savePut(read, next lease.Lease) (types.Put, lease.Lease, error) {
	if read.Key != next.Key || read.Version != next.Version {
		return types.Put{}, next, fmt.Errorf(
			"save lease %s: next must be the read lease changed (key and version)",
			read.Key,
		)
	}
	if read.Status != next.Status && !lease.CanTransition(read.Status, next.Status) {
		return types.Put{}, next, &fault.ConflictError{Entity: "lease", Key: read.Key.String(),
			Reason: fmt.Sprintf("cannot go from %s to %s", read.Status, next.Status)}
	}
	stampSave(read.Status != next.Status, read.Version, read.StatusChangedAt,
		&next.Version, &next.UpdatedAt, &next.StatusChangedAt)
	item, err := leaseToItem(next)
	if err != nil {
		return types.Put{}, next, err
	}
	return versionCondition(read.Version, string(read.Status)).put(ls.s.tables.Leases, item), next, nil
}

func (ls LeaseStore) saveError(err error, read lease.Lease) error {
	if conflict := firstItemConflict(err, "lease", read.Key.String(), read.Version); conflict != nil {
		return conflict
	}
	if conflicted(err) { // the quota item stayed busy
		return &fault.ConflictError{
			Entity: "lease",
			Key:    read.Key.String(),
			Reason: "concurrent writes kept it busy; retry",
		}
	}
	return fmt.Errorf("save lease %s: %w", read.Key, err)
}

func decodeLeases(items []map[string]types.AttributeValue) ([]lease.Lease, error) {
	return decodeEach(items, leaseFromItem)
}

// ListByUser returns one page of a user's leases, in UUID order.
func (ls LeaseStore) ListByUser(ctx context.Context, email string, p page.Page) ([]lease.Lease, string, error) {
	items, next, err := ls.s.listPage(ctx, "leases/user/"+email, p, ls.s.query(ctx, dynamodb.QueryInput{
		TableName:                 aws.String(ls.s.tables.Leases),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk > :quota"),
		ExpressionAttributeNames:  map[string]string{"#pk": names.AttrUserEmail, "#sk": names.AttrUUID},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(email), ":quota": str(quotaSK)},
		ConsistentRead:            aws.Bool(true),
	}))
	if err != nil {
		return nil, "", fmt.Errorf("list leases of %s: %w", email, err)
	}
	leases, err := decodeLeases(items)
	return leases, next, err
}

func (s *Store) statusQuery(table string, q page.StatusQuery) dynamodb.QueryInput {
	in := dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String(names.StatusIndex),
		KeyConditionExpression:    aws.String("#s = :s"),
		ExpressionAttributeNames:  map[string]string{"#s": names.AttrStatus},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": str(q.Status)},
	}
	if !q.ChangedBefore.IsZero() {
		in.KeyConditionExpression = aws.String("#s = :s AND #t < :t")
		in.ExpressionAttributeNames["#t"] = names.AttrStatusChangedAt
		in.ExpressionAttributeValues[":t"] = str(fmtTime(q.ChangedBefore))
	}
	return in
}

// ListByStatus returns one page of the leases in a status, oldest status
// change first, through the status index (never a scan).
func (ls LeaseStore) ListByStatus(ctx context.Context, q page.StatusQuery, p page.Page) ([]lease.Lease, string, error) {
	return listByStatus(ctx, ls.s, ls.s.tables.Leases, "leases", q, p, decodeLeases)
}

// List returns one page of every lease (a scan; for managers' listings).
func (ls LeaseStore) List(ctx context.Context, p page.Page) ([]lease.Lease, string, error) {
	isLease := func(it map[string]types.AttributeValue) bool {
		sk, _ := it[names.AttrUUID].(*types.AttributeValueMemberS)
		return sk != nil && sk.Value != quotaSK
	}
	items, next, err := ls.s.listPage(ctx, "leases/all", p,
		ls.s.scanFiltered(ctx, ls.s.tables.Leases, []string{names.AttrUserEmail, names.AttrUUID}, isLease))
	if err != nil {
		return nil, "", fmt.Errorf("list leases: %w", err)
	}
	leases, err := decodeLeases(items)
	return leases, next, err
}
