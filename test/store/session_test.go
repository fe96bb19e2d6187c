package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

func TestSessionStore(t *testing.T) {
	ctx := context.Background()
	db := dynamodb.NewFromConfig(emulator.Config(t))
	tables := fixture.StoreOn(t, db).Tables()
	now := t0
	sessions := ddbstore.NewSessionStore(db, tables.Sessions, func() time.Time { return now })

	t.Run("the table expires items by TTL", func(t *testing.T) {
		out, err := db.DescribeTimeToLive(
			ctx,
			&dynamodb.DescribeTimeToLiveInput{TableName: aws.String(tables.Sessions)},
		)
		if err != nil || out.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled ||
			aws.ToString(out.TimeToLiveDescription.AttributeName) != names.AttrTTL {
			t.Fatalf("TTL = %+v, %v", out.TimeToLiveDescription, err)
		}
	})
	t.Run("a sign-in request is used once", func(t *testing.T) {
		if err := sessions.UseSignIn(ctx, "id-1", now.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := sessions.UseSignIn(ctx, "id-1", now.Add(10*time.Minute)); !errors.Is(err, ddbstore.ErrSignInUsed) {
			t.Fatalf("second use: %v, want ErrSignInUsed", err)
		}
		if err := sessions.UseSignIn(ctx, "id-2", now.Add(10*time.Minute)); err != nil {
			t.Fatalf("another request: %v", err)
		}
	})
	t.Run("of concurrent uses of one request exactly one wins", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { errs[i] = sessions.UseSignIn(ctx, "id-race", now.Add(time.Minute)) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, ddbstore.ErrSignInUsed):
				t.Fatalf("use: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d uses won, want 1", won)
		}
	})
	t.Run("a record past its TTL that DynamoDB has not deleted yet does not block", func(t *testing.T) {
		if err := sessions.UseSignIn(ctx, "id-old", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		later := ddbstore.NewSessionStore(db, tables.Sessions, func() time.Time { return now.Add(2 * time.Minute) })
		if err := later.UseSignIn(ctx, "id-old", now.Add(12*time.Minute)); err != nil {
			t.Fatalf("use after the TTL: %v", err)
		}
	})
	t.Run("a revoked token id is on the deny-list, others are not", func(t *testing.T) {
		if got, err := sessions.Revoked(ctx, "jti-1"); err != nil || got {
			t.Fatalf("before revocation: %v, %v", got, err)
		}
		if err := sessions.Revoke(ctx, "jti-1", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := sessions.Revoke(ctx, "jti-1", now.Add(time.Minute)); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		if got, err := sessions.Revoked(ctx, "jti-1"); err != nil || !got {
			t.Fatalf("after revocation: %v, %v", got, err)
		}
		if got, err := sessions.Revoked(ctx, "jti-2"); err != nil || got {
			t.Fatalf("another token: %v, %v", got, err)
		}
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tables.Sessions),
			Key: map[string]types.AttributeValue{names.AttrID: &types.AttributeValueMemberS{Value: "revoked#jti-1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if ttl, _ := out.Item[names.AttrTTL].(*types.AttributeValueMemberN); ttl == nil ||
			ttl.Value != strconv.FormatInt(now.Add(time.Hour).Unix(), 10) {
			t.Fatalf("ttl = %+v, want the later expiry %d", out.Item[names.AttrTTL], now.Add(time.Hour).Unix())
		}
	})
	t.Run("a sign-in id and a token id of the same value do not collide", func(t *testing.T) {
		if err := sessions.UseSignIn(ctx, "same", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, err := sessions.Revoked(ctx, "same"); err != nil || got {
			t.Fatalf("a used sign-in reads as a revoked token: %v, %v", got, err)
		}
	})
}
