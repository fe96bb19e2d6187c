// Package ddbstore keeps leases, sandbox accounts and lease templates in
// DynamoDB. Every item carries a version; every update is a conditional
// write on the version (and status) it read, so a lost race is a
// fault.Conflict, never a silent overwrite. Granting an account to a
// lease is one transaction (see Grant), and the per-user lease limit is
// enforced inside the transaction that creates the lease.
//
// The store holds keys, conditions and transactions only. The rules it
// applies are the domain's (lease, account); the services reach it
// through their own interfaces, which ports_test.go holds it to.
package ddbstore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/page"
)

// Tables names the three tables.
type Tables struct {
	Leases    string
	Accounts  string
	Templates string
	Outbox    string
	// Deliveries remembers sent notifications (common/notify); optional.
	Deliveries string
	// Sessions holds used sign-in requests and revoked tokens; optional.
	Sessions string
}

// TablesFor returns the table names of a namespace, as the stacks name them.
func TablesFor(namespace string) Tables {
	return Tables{
		Leases:     names.Physical(namespace, names.LeaseTable),
		Accounts:   names.Physical(namespace, names.AccountTable),
		Templates:  names.Physical(namespace, names.LeaseTemplateTable),
		Outbox:     names.Physical(namespace, names.OutboxTable),
		Deliveries: names.Physical(namespace, names.DeliveryTable),
		Sessions:   names.Physical(namespace, names.SessionTable),
	}
}

// Store gives access to the three tables through one DynamoDB client.
type Store struct {
	db      *dynamodb.Client
	tables  Tables
	pages   *PageCodec
	backoff Backoff // zero: DefaultBackoff
}

// New returns a store over the given tables. pages seals page tokens; nil
// means a key made for this process, enough for a function that pages
// through a table but hands no token to anyone.
func New(db *dynamodb.Client, tables Tables, pages *PageCodec) *Store {
	if pages == nil {
		pages = processPages()
	}
	return &Store{db: db, tables: tables, pages: pages}
}

// Tables returns the table names the store uses.
func (s *Store) Tables() Tables { return s.tables }

// Pages returns the codec that seals the store's page tokens, for
// listings of other services that must seal theirs the same way.
func (s *Store) Pages() *PageCodec { return s.pages }

// listPage runs one page of a Query or Scan. fetch receives the start key
// and the limit and returns the items and DynamoDB's last evaluated key.
// fetchPage reads up to limit items from start; it returns them and where
// the next page starts (nil at the end).
type fetchPage func(start map[string]types.AttributeValue, limit int32) (
	[]map[string]types.AttributeValue, map[string]types.AttributeValue, error,
)

func (s *Store) listPage(
	ctx context.Context,
	scope string,
	p page.Page,
	fetch fetchPage,
) ([]map[string]types.AttributeValue, string, error) {
	start, err := s.pages.decode(scope, p.Token)
	if err != nil {
		return nil, "", err
	}
	items, last, err := fetch(start, p.Limit())
	if err != nil {
		return nil, "", err
	}
	next, err := s.pages.encode(scope, last)
	if err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// query is a Query with the start key and limit filled in by listPage.
func (s *Store) query(
	ctx context.Context,
	in dynamodb.QueryInput,
) fetchPage {
	return func(start map[string]types.AttributeValue, limit int32) (
		[]map[string]types.AttributeValue, map[string]types.AttributeValue, error,
	) {
		in.ExclusiveStartKey = start
		in.Limit = aws.Int32(limit)
		out, err := s.db.Query(ctx, &in)
		if err != nil {
			return nil, nil, fmt.Errorf("query %s: %w", aws.ToString(in.TableName), err)
		}
		return out.Items, out.LastEvaluatedKey, nil
	}
}

// scanFiltered reads a table in key order and keeps the items keep
// accepts, until limit items are kept or the table ends. Filtering happens
// before the page is cut, so pages are full; the next token is the key of
// the last item kept, not DynamoDB's last evaluated key.
func (s *Store) scanFiltered(
	ctx context.Context,
	table string,
	keyAttrs []string,
	keep func(map[string]types.AttributeValue) bool,
) fetchPage {
	return func(start map[string]types.AttributeValue, limit int32) (
		[]map[string]types.AttributeValue, map[string]types.AttributeValue, error,
	) {
		var kept []map[string]types.AttributeValue
		for {
			out, err := s.db.Scan(ctx, &dynamodb.ScanInput{
				TableName: aws.String(table), ExclusiveStartKey: start, Limit: aws.Int32(limit),
			})
			if err != nil {
				return nil, nil, fmt.Errorf("scan %s: %w", table, err)
			}
			for i, item := range out.Items {
				if !keep(item) {
					continue
				}
				kept = append(kept, item)
				if int32(len(kept)) == limit {
					more := i < len(out.Items)-1 || len(out.LastEvaluatedKey) > 0
					if !more {
						return kept, nil, nil
					}
					last := map[string]types.AttributeValue{}
					for _, k := range keyAttrs {
						last[k] = item[k]
					}
					return kept, last, nil
				}
			}
			if len(out.LastEvaluatedKey) == 0 {
				return kept, nil, nil
			}
			start = out.LastEvaluatedKey
		}
	}
}

// getOne reads one item by key, strongly consistent, and decodes it. A
// missing item is a *fault.NotFoundError naming entity and id.
func getOne[T any](
	ctx context.Context,
	s *Store,
	table string,
	key map[string]types.AttributeValue,
	entity, id string,
	decode func(map[string]types.AttributeValue) (T, error),
) (T, error) {
	var zero T
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return zero, fmt.Errorf("get %s %s: %w", entity, id, err)
	}
	if len(out.Item) == 0 {
		return zero, &fault.NotFoundError{Entity: entity, Key: id}
	}
	return decode(out.Item)
}

// listByStatus returns one page of the items of table in a status, through
// the status index (never a scan). kind ("leases", "accounts") scopes the
// page token and names the items in errors.
func listByStatus[T any](
	ctx context.Context,
	s *Store,
	table, kind string,
	q page.StatusQuery,
	p page.Page,
	decode func([]map[string]types.AttributeValue) ([]T, error),
) ([]T, string, error) {
	scope := kind + "/status/" + q.Status + "/" + fmtTime(q.ChangedBefore)
	items, next, err := s.listPage(ctx, scope, p, s.query(ctx, s.statusQuery(table, q)))
	if err != nil {
		return nil, "", fmt.Errorf("list %s %s: %w", q.Status, kind, err)
	}
	out, err := decode(items)
	return out, next, err
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(v)}
}
