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
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/page"
)

// AccountStore reads and writes sandbox accounts.
type AccountStore struct{ s *Store }

// Accounts returns the account store.
func (s *Store) Accounts() AccountStore { return AccountStore{s} }

func accountKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{names.AttrAccountID: str(id)}
}

// Create stores a newly registered account at version 1, in a status the
// account creation table allows (account.New); an account that is already
// registered is a conflict. recs are written to the outbox in
// the same transaction.
func (as AccountStore) Create(ctx context.Context, a account.Account, recs ...events.Record) (account.Account, error) {
	if !a.Status.IsStatus() {
		return a, fmt.Errorf("create account %s: unknown status %q", a.ID, a.Status)
	}
	if !account.Creatable(a.Status) {
		// Rows start where account.New allows (registration, untracked
		// accounts); any other status is reached by moves.
		return a, &fault.ConflictError{Entity: "account", Key: a.ID,
			Reason: fmt.Sprintf("a row cannot be created in %s", a.Status)}
	}
	stampNew(&a.Version, &a.CreatedAt, &a.UpdatedAt, &a.StatusChangedAt)
	item, err := accountToItem(a)
	if err != nil {
		return a, err
	}
	err = as.s.commit(ctx, []types.TransactWriteItem{{Put: &types.Put{
		TableName: aws.String(as.s.tables.Accounts), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": names.AttrAccountID},
	}}}, recs)
	if reasons := cancelReasons(err); reasons != nil && lostRace(reasons[0]) {
		return a, &fault.ConflictError{Entity: "account", Key: a.ID, Reason: "it is already registered"}
	}
	if err != nil {
		return a, fmt.Errorf("create account %s: %w", a.ID, err)
	}
	return a, nil
}

// stampSave sets the metadata of a saved item: the next version, the
// update time and, when the status moved (or none was set), the time it
// changed unless the caller gave a later one.
func stampSave(moved bool, readVersion int64, readChangedAt time.Time,
	version *int64, updated, statusChanged *time.Time) {
	if statusChanged.IsZero() || moved && !statusChanged.After(readChangedAt) {
		*statusChanged = time.Now()
	}
	*version = readVersion + 1
	*updated = time.Now()
}

// stampNew sets the metadata of a new item: version 1 and its times.
func stampNew(version *int64, created, updated, statusChanged *time.Time) {
	now := time.Now()
	*version = 1
	if created.IsZero() {
		*created = now
	}
	*updated = now
	if statusChanged.IsZero() {
		*statusChanged = *created
	}
}

// Import writes accounts in batches of 25 without conditions. It is for
// seeding an empty table (local mode, benchmarks); use Create otherwise.
func (as AccountStore) Import(ctx context.Context, accounts []account.Account) error {
	return importAll(ctx, as.s, as.s.tables.Accounts, "accounts", accounts,
		func(a account.Account) (map[string]types.AttributeValue, error) {
			stampNew(&a.Version, &a.CreatedAt, &a.UpdatedAt, &a.StatusChangedAt)
			return accountToItem(a)
		})
}

// importAll turns rows into items, stamped by toItem, and writes them
// with putAll; what names the rows in its error.
func importAll[T any](ctx context.Context, s *Store, table, what string, rows []T,
	toItem func(T) (map[string]types.AttributeValue, error)) error {
	items := make([]map[string]types.AttributeValue, 0, len(rows))
	for _, r := range rows {
		item, err := toItem(r)
		if err != nil {
			return err
		}
		items = append(items, item)
	}
	if err := s.putAll(ctx, table, items); err != nil {
		return fmt.Errorf("import %s: %w", what, err)
	}
	return nil
}

// putAll writes items to table without conditions, 25 to a
// BatchWriteItem, until DynamoDB has processed every one.
func (s *Store) putAll(ctx context.Context, table string, items []map[string]types.AttributeValue) error {
	for start := 0; start < len(items); start += 25 {
		reqs := make([]types.WriteRequest, 0, 25)
		for _, item := range items[start:min(start+25, len(items))] {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		}
		for len(reqs) > 0 {
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{table: reqs},
			})
			if err != nil {
				return err
			}
			reqs = out.UnprocessedItems[table]
		}
	}
	return nil
}

// Get reads one account.
func (as AccountStore) Get(ctx context.Context, id string) (account.Account, error) {
	return getOne(ctx, as.s, as.s.tables.Accounts, accountKey(id), "account", id, accountFromItem)
}

// Save writes next over read, on condition that the stored account is
// still at read's version and status. A status change must be allowed by
// the account move table. recs are written to the outbox in the same
// transaction.
func (as AccountStore) Save(
	ctx context.Context,
	read, next account.Account,
	recs ...events.Record,
) (account.Account, error) {
	put, next, err := as.savePut(read, next)
	if err != nil {
		return next, err
	}
	err = as.s.commit(ctx, []types.TransactWriteItem{{Put: &put}}, recs)
	if conflict := firstItemConflict(err, "account", read.ID, read.Version); conflict != nil {
		return next, conflict
	}
	if err != nil {
		return next, fmt.Errorf("save account %s: %w", read.ID, err)
	}
	return next, nil
}

// savePut builds the conditional put of Save, for use alone or inside a
// transaction.
func (as AccountStore) savePut(read, next account.Account) (types.Put, account.Account, error) {
	if read.ID != next.ID || read.Version != next.Version {
		return types.Put{}, next, fmt.Errorf(
			"save account %s: next must be the read account changed (id and version)",
			read.ID,
		)
	}
	if read.Status != next.Status && !account.CanMove(read.Status, next.Status) {
		return types.Put{}, next, &fault.ConflictError{Entity: "account", Key: read.ID,
			Reason: fmt.Sprintf("cannot go from %s to %s", read.Status, next.Status)}
	}
	stampSave(read.Status != next.Status, read.Version, read.StatusChangedAt,
		&next.Version, &next.UpdatedAt, &next.StatusChangedAt)
	item, err := accountToItem(next)
	if err != nil {
		return types.Put{}, next, err
	}
	return versionCondition(read.Version, string(read.Status)).put(as.s.tables.Accounts, item), next, nil
}

// Delete removes an account row (after it was ejected to the Exit OU), on
// condition that it is still at the version read. recs are written to the
// outbox in the same transaction.
func (as AccountStore) Delete(ctx context.Context, read account.Account, recs ...events.Record) error {
	if !account.CanMove(read.Status, account.Exit) {
		return &fault.ConflictError{Entity: "account", Key: read.ID,
			Reason: fmt.Sprintf("cannot go from %s to %s (leave the pool)", read.Status, account.Exit)}
	}
	c := versionCondition(read.Version, "")
	err := as.s.commit(ctx, []types.TransactWriteItem{{Delete: &types.Delete{
		TableName: aws.String(as.s.tables.Accounts), Key: accountKey(read.ID),
		ConditionExpression: c.expr, ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}}, recs)
	if conflict := firstItemConflict(err, "account", read.ID, read.Version); conflict != nil {
		return conflict
	}
	if err != nil {
		return fmt.Errorf("delete account %s: %w", read.ID, err)
	}
	return nil
}

func decodeAccounts(items []map[string]types.AttributeValue) ([]account.Account, error) {
	return decodeEach(items, accountFromItem)
}

// ListByStatus returns one page of the accounts in a status, longest in
// that status first, through the status index (never a scan).
func (as AccountStore) ListByStatus(
	ctx context.Context,
	q page.StatusQuery,
	p page.Page,
) ([]account.Account, string, error) {
	return listByStatus(ctx, as.s, as.s.tables.Accounts, "accounts", q, p, decodeAccounts)
}

// List returns one page of every account.
func (as AccountStore) List(ctx context.Context, p page.Page) ([]account.Account, string, error) {
	all := func(map[string]types.AttributeValue) bool { return true }
	items, next, err := as.s.listPage(ctx, "accounts/all", p,
		as.s.scanFiltered(ctx, as.s.tables.Accounts, []string{names.AttrAccountID}, all))
	if err != nil {
		return nil, "", fmt.Errorf("list accounts: %w", err)
	}
	accounts, err := decodeAccounts(items)
	return accounts, next, err
}
