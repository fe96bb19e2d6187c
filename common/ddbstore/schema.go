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

// CreateTables creates the tables (four, and Deliveries and Sessions when
// named) with the key schema, status indexes, the outbox's pending index
// and TTL the Data stack deploys. Local mode and the tests use it;
// on AWS the stack creates them. Existing tables are left alone.
func CreateTables(ctx context.Context, db *dynamodb.Client, t Tables) error {
	statusIndex := allIndex(names.StatusIndex, names.AttrStatus, names.AttrStatusChangedAt)
	defs := []dynamodb.CreateTableInput{
		{
			TableName: aws.String(t.Leases),
			KeySchema: keySchema(names.AttrUserEmail, names.AttrUUID),
			AttributeDefinitions: stringAttrs(names.AttrUserEmail, names.AttrUUID,
				names.AttrStatus, names.AttrStatusChangedAt, names.AttrBeating, names.AttrHeartbeatDeadline),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{statusIndex,
				allIndex(names.HeartbeatIndex, names.AttrBeating, names.AttrHeartbeatDeadline)},
		},
		{
			TableName:              aws.String(t.Accounts),
			KeySchema:              keySchema(names.AttrAccountID, ""),
			AttributeDefinitions:   stringAttrs(names.AttrAccountID, names.AttrStatus, names.AttrStatusChangedAt),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{statusIndex},
		},
		{
			TableName:            aws.String(t.Templates),
			KeySchema:            keySchema(names.AttrUUID, ""),
			AttributeDefinitions: stringAttrs(names.AttrUUID),
		},
		{
			TableName:            aws.String(t.Outbox),
			KeySchema:            keySchema(names.AttrID, ""),
			AttributeDefinitions: stringAttrs(names.AttrID, names.AttrPending, names.AttrCreatedAt),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
				allIndex(names.OutboxPendingIndex, names.AttrPending, names.AttrCreatedAt),
			},
		},
	}
	for _, optional := range []string{t.Deliveries, t.Sessions} {
		if optional == "" {
			continue
		}
		defs = append(defs, dynamodb.CreateTableInput{
			TableName:            aws.String(optional),
			KeySchema:            keySchema(names.AttrID, ""),
			AttributeDefinitions: stringAttrs(names.AttrID),
		})
	}
	for i := range defs {
		in := defs[i]
		in.BillingMode = types.BillingModePayPerRequest
		_, err := db.CreateTable(ctx, &in)
		var inUse *types.ResourceInUseException
		if errors.As(err, &inUse) {
			continue
		}
		if err != nil {
			return fmt.Errorf("create table %s: %w", aws.ToString(in.TableName), err)
		}
		w := dynamodb.NewTableExistsWaiter(
			db,
			func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond },
		)
		if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName}, time.Minute); err != nil {
			return fmt.Errorf("wait for table %s: %w", aws.ToString(in.TableName), err)
		}
	}
	for _, table := range []string{t.Leases, t.Outbox, t.Deliveries, t.Sessions} {
		if table == "" {
			continue
		}
		_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(table),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{
				AttributeName: aws.String(names.AttrTTL),
				Enabled:       aws.Bool(true),
			},
		})
		if err != nil && !isTTLAlreadyOn(err) {
			return fmt.Errorf("enable TTL on %s: %w", table, err)
		}
	}
	return nil
}

// keySchema is a hash key and, unless rangeKey is empty, a range key.
func keySchema(hash, rangeKey string) []types.KeySchemaElement {
	k := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	if rangeKey != "" {
		k = append(k, types.KeySchemaElement{AttributeName: aws.String(rangeKey), KeyType: types.KeyTypeRange})
	}
	return k
}

// stringAttrs defines each named attribute as a string: every key the
// tables and indexes use is one.
func stringAttrs(attrNames ...string) []types.AttributeDefinition {
	defs := make([]types.AttributeDefinition, len(attrNames))
	for i, n := range attrNames {
		defs[i] = types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	return defs
}

// allIndex is a global secondary index that projects every attribute.
func allIndex(name, hash, rangeKey string) types.GlobalSecondaryIndex {
	return types.GlobalSecondaryIndex{
		IndexName:  aws.String(name),
		KeySchema:  keySchema(hash, rangeKey),
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
	}
}

func isTTLAlreadyOn(err error) bool {
	var ve interface{ ErrorCode() string }
	return errors.As(err, &ve) && ve.ErrorCode() == "ValidationException"
}
