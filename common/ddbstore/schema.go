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
	statusIndex := types.GlobalSecondaryIndex{
		IndexName: aws.String(names.StatusIndex),
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(names.AttrStatus), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(names.AttrStatusChangedAt), KeyType: types.KeyTypeRange},
		},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
	}
	attr := func(n string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	defs := []dynamodb.CreateTableInput{
		{
			TableName: aws.String(t.Leases),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(names.AttrUserEmail), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(names.AttrUUID), KeyType: types.KeyTypeRange},
			},
			AttributeDefinitions: []types.AttributeDefinition{attr(names.AttrUserEmail), attr(names.AttrUUID),
				attr(names.AttrStatus), attr(names.AttrStatusChangedAt)},
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{statusIndex},
		},
		{
			TableName: aws.String(t.Accounts),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(names.AttrAccountID), KeyType: types.KeyTypeHash},
			},
			AttributeDefinitions: []types.AttributeDefinition{
				attr(names.AttrAccountID),
				attr(names.AttrStatus),
				attr(names.AttrStatusChangedAt),
			},
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{statusIndex},
		},
		{
			TableName: aws.String(t.Templates),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(names.AttrUUID), KeyType: types.KeyTypeHash},
			},
			AttributeDefinitions: []types.AttributeDefinition{attr(names.AttrUUID)},
		},
		{
			TableName: aws.String(t.Outbox),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(names.AttrID), KeyType: types.KeyTypeHash},
			},
			AttributeDefinitions: []types.AttributeDefinition{
				attr(names.AttrID),
				attr(names.AttrPending),
				attr(names.AttrCreatedAt),
			},
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
				IndexName: aws.String(names.OutboxPendingIndex),
				KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String(names.AttrPending), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String(names.AttrCreatedAt), KeyType: types.KeyTypeRange},
				},
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			}},
		},
	}
	for _, optional := range []string{t.Deliveries, t.Sessions} {
		if optional == "" {
			continue
		}
		defs = append(defs, dynamodb.CreateTableInput{
			TableName: aws.String(optional),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(names.AttrID), KeyType: types.KeyTypeHash},
			},
			AttributeDefinitions: []types.AttributeDefinition{attr(names.AttrID)},
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

func isTTLAlreadyOn(err error) bool {
	var ve interface{ ErrorCode() string }
	return errors.As(err, &ve) && ve.ErrorCode() == "ValidationException"
}
