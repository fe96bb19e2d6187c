package ddbstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/names"
)

// DeliveryStore remembers which notifications were sent, so an event
// delivered twice sends its email once. An item is a key (names.AttrID)
// and an expiry (names.AttrTTL, epoch seconds); DynamoDB deletes it some
// time after that.
type DeliveryStore struct {
	db    *dynamodb.Client
	table string
}

// NewDeliveryStore returns the delivery store over table, for functions
// that use no other table.
func NewDeliveryStore(db *dynamodb.Client, table string) DeliveryStore {
	return DeliveryStore{db: db, table: table}
}

// Deliveries returns the delivery store over the store's Deliveries table.
func (s *Store) Deliveries() DeliveryStore {
	return DeliveryStore{db: s.db, table: s.tables.Deliveries}
}

// Sent reports whether key was marked sent. The read is strongly
// consistent, so a mark written before is always seen.
func (d DeliveryStore) Sent(ctx context.Context, key string) (bool, error) {
	out, err := d.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.table),
		Key:            map[string]types.AttributeValue{names.AttrID: str(key)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, fmt.Errorf("read delivery %s from %s: %w", key, d.table, err)
	}
	return len(out.Item) > 0, nil
}

// MarkSent records key as sent until ttl. Marking a key twice is not an
// error: the first mark is kept (a conditional put), so a concurrent
// duplicate cannot extend or overwrite it.
func (d DeliveryStore) MarkSent(ctx context.Context, key string, ttl time.Time) error {
	_, err := d.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table),
		Item: map[string]types.AttributeValue{
			names.AttrID:  str(key),
			names.AttrTTL: num(ttl.Unix()),
		},
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": names.AttrID},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mark delivery %s in %s: %w", key, d.table, err)
	}
	return nil
}
