package emulator_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/isb-go/isb/test/emulator"
)

// DynamoDB refuses a partition key over 2,048 bytes or a sort key over
// 1,024 bytes with a ValidationException on reads as on writes; moto 5.2.1
// checks writes only, and the launcher adds the check to reads.
func TestDynamoDBRefusesOversizedKeysOnReads(t *testing.T) {
	ctx := t.Context()
	db := dynamodb.NewFromConfig(emulator.Config(t))
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String("leases"),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatalf("create table: %v", err)
	}
	s := func(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
	key := func(pk, sk string) map[string]ddbtypes.AttributeValue {
		return map[string]ddbtypes.AttributeValue{"pk": s(pk), "sk": s(sk)}
	}
	bigPK, bigSK := strings.Repeat("p", 2049), strings.Repeat("s", 1025)
	table := aws.String("leases")
	cases := []struct {
		name    string
		call    func() error
		refused bool
	}{
		{"GetItem with a partition key of 2,048 bytes is served", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key(bigPK[:2048], "a")})
			return err
		}, false},
		{"GetItem with a sort key of 1,024 bytes is served", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key("a", bigSK[:1024])})
			return err
		}, false},
		{"GetItem with a partition key over 2,048 bytes is refused", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key(bigPK, "a")})
			return err
		}, true},
		{"GetItem with a sort key over 1,024 bytes is refused", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key("a", bigSK)})
			return err
		}, true},
		{"DeleteItem with a partition key over 2,048 bytes is refused", func() error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key(bigPK, "a")})
			return err
		}, true},
		{"Query on a partition key over 2,048 bytes is refused", func() error {
			_, err := db.Query(
				ctx,
				&dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("pk = :p"),
					ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": s(bigPK)}},
			)
			return err
		}, true},
		{"Query on a sort key over 1,024 bytes is refused", func() error {
			_, err := db.Query(
				ctx,
				&dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("pk = :p AND sk = :s"),
					ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": s("a"), ":s": s(bigSK)}},
			)
			return err
		}, true},
		{"BatchGetItem with a partition key over 2,048 bytes is refused", func() error {
			_, err := db.BatchGetItem(
				ctx,
				&dynamodb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{
					"leases": {Keys: []map[string]ddbtypes.AttributeValue{key(bigPK, "a")}}}},
			)
			return err
		}, true},
		{"TransactGetItems with a partition key over 2,048 bytes is refused", func() error {
			_, err := db.TransactGetItems(
				ctx,
				&dynamodb.TransactGetItemsInput{TransactItems: []ddbtypes.TransactGetItem{
					{Get: &ddbtypes.Get{TableName: table, Key: key(bigPK, "a")}}}},
			)
			return err
		}, true},
		{"UpdateItem with a partition key over 2,048 bytes is refused", func() error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key(bigPK, "a"),
				UpdateExpression: aws.String(
					"SET v = :v",
				), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": s("x")}})
			return err
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !tc.refused {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" ||
				!strings.HasPrefix(apiErr.ErrorMessage(), "One or more parameter values were invalid") {
				t.Fatalf("err = %v, want DynamoDB's ValidationException", err)
			}
		})
	}
}
