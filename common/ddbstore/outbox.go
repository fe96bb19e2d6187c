package ddbstore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/names"
)

// outboxTTL is how long an undelivered record is kept before DynamoDB may
// drop it; the relay delivers long before that.
const outboxTTL = 14 * 24 * time.Hour

type outboxItem struct {
	ID         string `json:"id"`
	Source     string `json:"source"`
	DetailType string `json:"detailType"`
	Detail     string `json:"detail"`
	CreatedAt  string `json:"createdAt"`
	TTL        int64  `json:"ttl"`
	// Pending puts the record in the pending index until it is deleted.
	Pending string `json:"pending"`
}

// outboxPuts are the transaction items that write records into the outbox,
// each on condition that its id is new.
func (s *Store) outboxPuts(recs []events.Record) ([]types.TransactWriteItem, error) {
	items := make([]types.TransactWriteItem, 0, len(recs))
	for _, r := range recs {
		m, err := marshal(outboxItem{ID: r.ID, Source: r.Source, DetailType: r.DetailType, Detail: r.Detail,
			CreatedAt: fmtTime(r.Time), TTL: r.Time.Add(outboxTTL).Unix(), Pending: names.OutboxPending})
		if err != nil {
			return nil, fmt.Errorf("marshal outbox record %s: %w", r.ID, err)
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.tables.Outbox), Item: m,
			ConditionExpression:      aws.String("attribute_not_exists(#id)"),
			ExpressionAttributeNames: map[string]string{"#id": names.AttrID},
		}})
	}
	return items, nil
}

// commit writes the items and the outbox records in one transaction. The
// records come after the items, so cancellation reasons keep the items'
// positions. A transaction cancelled only by TransactionConflict is tried
// again within the store's Backoff; the last error is returned when the
// budget runs out.
func (s *Store) commit(ctx context.Context, items []types.TransactWriteItem, recs []events.Record) error {
	r := s.retrier(ctx)
	for {
		err := s.commitOnce(ctx, items, recs)
		if !conflicted(err) || !r.wait(ctx) {
			return err
		}
	}
}

// commitOnce is commit without retries, for callers that decide
// themselves what a conflict means (Grant tries another account).
func (s *Store) commitOnce(ctx context.Context, items []types.TransactWriteItem, recs []events.Record) error {
	puts, err := s.outboxPuts(recs)
	if err != nil {
		return err
	}
	all := append(append(make([]types.TransactWriteItem, 0, len(items)+len(puts)), items...), puts...)
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: all})
	return err
}

// OutboxStore reads and clears the outbox.
type OutboxStore struct{ s *Store }

// Outbox returns the outbox store.
func (s *Store) Outbox() OutboxStore { return OutboxStore{s} }

// Pending returns up to limit records written before cutoff and not yet
// removed, oldest first. It reads the pending index, never the table, so a
// sweep costs what it returns even when the bus was down for an hour and
// thousands of records wait. The index is eventually consistent: a record
// removed a moment ago may come back once more (consumers are idempotent),
// and records younger than the cutoff are not asked for.
func (o OutboxStore) Pending(ctx context.Context, cutoff time.Time, limit int) ([]events.Record, error) {
	var out []events.Record
	in := &dynamodb.QueryInput{
		TableName:                aws.String(o.s.tables.Outbox),
		IndexName:                aws.String(names.OutboxPendingIndex),
		KeyConditionExpression:   aws.String("#p = :p AND #c < :cut"),
		ExpressionAttributeNames: map[string]string{"#p": names.AttrPending, "#c": names.AttrCreatedAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p": str(names.OutboxPending), ":cut": str(fmtTime(cutoff)),
		},
		ScanIndexForward: aws.Bool(true),
		Limit:            aws.Int32(int32(min(limit, 1000))),
	}
	p := dynamodb.NewQueryPaginator(o.s.db, in)
	for p.HasMorePages() && len(out) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read pending outbox records: %w", err)
		}
		for _, m := range page.Items {
			var it outboxItem
			if err := unmarshal(m, &it); err != nil {
				return nil, fmt.Errorf("unmarshal outbox record: %w", err)
			}
			at, err := parseTime(it.CreatedAt)
			if err != nil {
				// Written by the cleanup state machine in another
				// RFC 3339 spelling.
				at, err = time.Parse(time.RFC3339Nano, it.CreatedAt)
			}
			if err != nil {
				return nil, fmt.Errorf("outbox record %s: %w", it.ID, err)
			}
			out = append(
				out,
				events.Record{ID: it.ID, Source: it.Source, DetailType: it.DetailType, Detail: it.Detail, Time: at},
			)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// Remove deletes delivered records. Removing a record twice is harmless.
func (o OutboxStore) Remove(ctx context.Context, ids ...string) error {
	for start := 0; start < len(ids); start += 25 {
		reqs := make([]types.WriteRequest, 0, 25)
		for _, id := range ids[start:min(start+25, len(ids))] {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{
				Key: map[string]types.AttributeValue{names.AttrID: str(id)},
			}})
		}
		for len(reqs) > 0 {
			out, err := o.s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{o.s.tables.Outbox: reqs},
			})
			if err != nil {
				return fmt.Errorf("remove outbox records: %w", err)
			}
			reqs = out.UnprocessedItems[o.s.tables.Outbox]
		}
	}
	return nil
}
