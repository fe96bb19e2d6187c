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

// ErrSignInUsed: the SAML request id was already used for a sign-in.
var ErrSignInUsed = errors.New("sign-in request already used")

// SessionStore keeps what makes sessions one-time and revocable: the
// request ids of completed SAML sign-ins and the ids ("jti") of revoked
// session tokens. An item is a key (names.AttrID, prefixed by kind) and an
// expiry (names.AttrTTL, epoch seconds). DynamoDB deletes expired items up
// to days late, so every read also compares the expiry with the clock.
type SessionStore struct {
	db    *dynamodb.Client
	table string
	now   func() time.Time
}

// NewSessionStore returns the session store over table; now may be nil
// (time.Now).
func NewSessionStore(db *dynamodb.Client, table string, now func() time.Time) SessionStore {
	if now == nil {
		now = time.Now
	}
	return SessionStore{db: db, table: table, now: now}
}

// Sessions returns the session store over the store's Sessions table.
func (s *Store) Sessions() SessionStore { return NewSessionStore(s.db, s.tables.Sessions, nil) }

const (
	signInPrefix  = "signin#"
	revokedPrefix = "revoked#"
)

// UseSignIn records that the sign-in answering requestID completed; the
// record lasts until until (the end of the window a replay could be
// accepted in). A second use while the record lasts is ErrSignInUsed: the
// conditional put decides, so two concurrent callbacks cannot both pass.
func (s SessionStore) UseSignIn(ctx context.Context, requestID string, until time.Time) error {
	if requestID == "" {
		return errors.New("use sign-in: empty request id")
	}
	// An expired record DynamoDB has not deleted yet does not count.
	taken, err := s.putUntil(
		ctx,
		signInPrefix+requestID,
		until,
		"attribute_not_exists(#id) OR #ttl <= :v",
		num(s.now().Unix()),
	)
	if err != nil {
		return fmt.Errorf("record sign-in %s in %s: %w", requestID, s.table, err)
	}
	if taken {
		return ErrSignInUsed
	}
	return nil
}

// Revoke puts a session token id on the deny-list until until (the
// token's expiry; after it the token is refused anyway). Revoking twice
// keeps the later expiry.
func (s SessionStore) Revoke(ctx context.Context, tokenID string, until time.Time) error {
	if tokenID == "" {
		return errors.New("revoke: empty token id")
	}
	if _, err := s.putUntil(ctx, revokedPrefix+tokenID, until, "attribute_not_exists(#id) OR #ttl < :v", num(until.Unix())); err != nil {
		return fmt.Errorf("revoke token %s in %s: %w", tokenID, s.table, err)
	}
	return nil
}

// putUntil writes the record id with TTL until on condition cond (over
// #id, #ttl and :v); refused reports that the condition did not hold.
func (s SessionStore) putUntil(
	ctx context.Context,
	id string,
	until time.Time,
	cond string,
	v types.AttributeValue,
) (refused bool, err error) {
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			names.AttrID:  str(id),
			names.AttrTTL: num(until.Unix()),
		},
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  map[string]string{"#id": names.AttrID, "#ttl": names.AttrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": v},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true, nil
	}
	return false, err
}

// Revoked reports whether a session token id is on the deny-list. One
// eventually consistent GetItem: a logout is seen everywhere within about
// a second, and the read costs half a strongly consistent one.
func (s SessionStore) Revoked(ctx context.Context, tokenID string) (bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.table),
		Key:                      map[string]types.AttributeValue{names.AttrID: str(revokedPrefix + tokenID)},
		ProjectionExpression:     aws.String("#id"),
		ExpressionAttributeNames: map[string]string{"#id": names.AttrID},
	})
	if err != nil {
		return false, fmt.Errorf("read revocation of %s from %s: %w", tokenID, s.table, err)
	}
	// A record past its TTL that DynamoDB has not deleted yet names a token
	// that has expired too: refusing it changes nothing.
	return len(out.Item) > 0, nil
}
