package emulator_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/isb-go/isb/test/emulator"
)

// faultTable creates a table keyed by "id" and returns a client through f.
func faultTable(t *testing.T, f *emulator.Faults) (*dynamodb.Client, *dynamodb.Client) {
	t.Helper()
	cfg := emulator.Config(t)
	plain := dynamodb.NewFromConfig(cfg)
	createTable(t, plain, "faults", "id")
	return plain, dynamodb.NewFromConfig(f.Wrap(cfg))
}

func putItem(id string) ddbtypes.TransactWriteItem {
	return ddbtypes.TransactWriteItem{Put: &ddbtypes.Put{TableName: aws.String("faults"),
		Item: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}}}}
}

func stored(t *testing.T, db *dynamodb.Client, id string) bool {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("faults"),
		Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}}})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Item) > 0
}

func TestFaultsAnswerATransactionWithTheConflictDynamoDBSends(t *testing.T) {
	ctx := context.Background()
	f := &emulator.Faults{TransactionConflictRate: 1, Seed: 7,
		Conflicting: func(items []emulator.TransactItem) []int {
			for i, it := range items {
				if it.Kind == "Put" && it.Table == "faults" && it.Attrs["id"] == "b" {
					return []int{i}
				}
			}
			return nil
		}}
	plain, db := faultTable(t, f)

	_, err := db.TransactWriteItems(
		ctx,
		&dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{putItem("a"), putItem("b")}},
	)
	var tce *ddbtypes.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("TransactWriteItems: %v, want a TransactionCanceledException", err)
	}
	var codes, messages []string
	for _, r := range tce.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
		messages = append(messages, aws.ToString(r.Message))
	}
	if !slices.Equal(codes, []string{"None", "TransactionConflict"}) ||
		messages[1] != "Transaction is ongoing for the item" ||
		messages[0] != "" {
		t.Fatalf("reasons = %v %q", codes, messages)
	}
	if want := "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]"; tce.ErrorMessage() != want {
		t.Fatalf("message = %q, want %q", tce.ErrorMessage(), want)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
		t.Fatalf("status: %v", err)
	}
	if stored(t, plain, "a") || stored(t, plain, "b") {
		t.Fatal("a cancelled transaction wrote an item")
	}

	t.Run("a transaction whose items nobody holds goes through", func(t *testing.T) {
		if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			TransactItems: []ddbtypes.TransactWriteItem{putItem("c")}}); err != nil {
			t.Fatal(err)
		}
		if !stored(t, plain, "c") {
			t.Fatal("the transaction did not reach the emulator")
		}
	})
	t.Run("every call is counted by operation", func(t *testing.T) {
		if f.Calls("TransactWriteItems") != 2 || f.Injected("TransactWriteItems") != 1 {
			t.Fatalf(
				"%d calls, %d answered with a conflict",
				f.Calls("TransactWriteItems"),
				f.Injected("TransactWriteItems"),
			)
		}
		if _, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("faults")}); err != nil ||
			f.Calls("Scan") != 1 {
			t.Fatalf("scan: %v, counted %d", err, f.Calls("Scan"))
		}
	})
}

func TestFaultsPickAConflictingItemAtTheConfiguredRate(t *testing.T) {
	ctx := context.Background()
	f := &emulator.Faults{TransactionConflictRate: 0.5, Seed: 11}
	plain, db := faultTable(t, f)
	const calls = 200
	for i := range calls {
		_, err := db.TransactWriteItems(
			ctx,
			&dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
				putItem("x" + string(rune('a'+i%26))), putItem("y" + string(rune('a'+i%26))),
			}},
		)
		var tce *ddbtypes.TransactionCanceledException
		if err != nil && (!errors.As(err, &tce) || !slices.Contains(codesOf(tce), "TransactionConflict")) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := f.Injected("TransactWriteItems"); n < calls/4 || n > calls*3/4 {
		t.Fatalf("%d of %d calls conflicted at rate 0.5", n, calls)
	}
	if !stored(t, plain, "xa") {
		t.Fatal("no call went through")
	}
}

func codesOf(tce *ddbtypes.TransactionCanceledException) []string {
	var out []string
	for _, r := range tce.CancellationReasons {
		out = append(out, aws.ToString(r.Code))
	}
	return out
}

func TestFaultsAnswerASingleWriteWithTransactionConflictException(t *testing.T) {
	f := &emulator.Faults{WriteConflictRate: 1}
	plain, db := faultTable(t, f)
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("faults"),
		Item: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "a"}}})
	var tc *ddbtypes.TransactionConflictException
	var api smithy.APIError
	if !errors.As(err, &tc) || !errors.As(err, &api) || api.ErrorCode() != "TransactionConflictException" ||
		api.ErrorMessage() != "Transaction is ongoing for the item" {
		t.Fatalf("PutItem: %v", err)
	}
	if stored(t, plain, "a") {
		t.Fatal("an answered write reached the table")
	}
}
