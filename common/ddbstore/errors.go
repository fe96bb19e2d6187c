package ddbstore

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
)

// conditionFailed reports whether err is a failed condition on a single
// write, returning the item as it is now (nil when it does not exist).
func conditionFailed(err error) (bool, map[string]types.AttributeValue) {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true, ccf.Item
	}
	return false, nil
}

// cancelReasons returns the per-item reason codes of a cancelled
// transaction, or nil when err is something else.
func cancelReasons(err error) []string {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	codes := make([]string, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		if r.Code != nil {
			codes[i] = *r.Code
		}
	}
	if len(codes) == 0 {
		codes = []string{"Unknown"}
	}
	return codes
}

// lostRace reports whether a transaction item's reason means another
// writer got there first.
func lostRace(code string) bool {
	return code == "ConditionalCheckFailed" || code == "TransactionConflict"
}

// firstItemConflict returns NotFound or Conflict when err is a transaction
// whose first item (the conditional write) lost its condition, else nil.
func firstItemConflict(err error, entity, key string, readVersion int64) error {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) == 0 {
		return nil
	}
	r := tce.CancellationReasons[0]
	if r.Code == nil || !lostRace(*r.Code) {
		return nil
	}
	return itemConflict(entity, key, r, readVersion)
}

// itemConflict turns a transaction item that lost its race into an error:
// a failed condition is NotFound or Conflict (writeConflict); an item that
// other transactions still held when the retries ran out is a Conflict the
// caller may retry.
func itemConflict(entity, key string, r types.CancellationReason, readVersion int64) error {
	if aws.ToString(r.Code) == "TransactionConflict" {
		return &fault.ConflictError{Entity: entity, Key: key, Reason: "concurrent writes kept it busy; retry"}
	}
	return writeConflict(entity, key, r.Item, readVersion)
}

// writeConflict turns a failed conditional write into NotFound or
// Conflict. current is the item as DynamoDB returned it.
func writeConflict(entity, key string, current map[string]types.AttributeValue, readVersion int64) error {
	if len(current) == 0 {
		return &fault.NotFoundError{Entity: entity, Key: key}
	}
	return &fault.ConflictError{Entity: entity, Key: key,
		Reason: fmt.Sprintf("it changed since it was read at version %d", readVersion)}
}

// onVersion is the condition of every update: the stored item is still at
// the version read and, when status is not empty, in the status read.
type onVersion struct {
	expr   *string
	names  map[string]string
	values map[string]types.AttributeValue
}

func versionCondition(version int64, status string) onVersion {
	c := onVersion{
		expr:   aws.String("#v = :v"),
		names:  map[string]string{"#v": names.AttrVersion},
		values: map[string]types.AttributeValue{":v": num(version)},
	}
	if status != "" {
		c.expr = aws.String("#v = :v AND #s = :s")
		c.names["#s"] = names.AttrStatus
		c.values[":s"] = str(status)
	}
	return c
}

// put is the put of item into table on this condition; a failed
// condition returns the item as it was.
func (c onVersion) put(table string, item map[string]types.AttributeValue) types.Put {
	return types.Put{
		TableName: aws.String(table), Item: item,
		ConditionExpression: c.expr, ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}
