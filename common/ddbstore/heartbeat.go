package ddbstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
)

const (
	attrHeartbeatTimeout = "heartbeatTimeoutMinutes"
	attrCreatedDate      = "createdDate"
)

// Beat stores next's heartbeat deadline, read being the lease it was
// computed from. It writes only the deadline (and raises the version, so
// no writer that read the lease before the beat can put the old deadline
// back), on condition that the item is still the lease read (same
// creation), still in a status that beats, still with a heartbeat, and
// that the deadline moves forward. It never conditions on the version: a
// beat must not fail because the monitor recorded a cost meanwhile, and it
// touches nothing a status change writes. A concurrent later beat wins
// and is answered; an ended lease is a conflict naming its status.
func (ls LeaseStore) Beat(ctx context.Context, read, next lease.Lease) (lease.Lease, error) {
	if read.Key != next.Key || next.HeartbeatDeadline == nil {
		return next, fmt.Errorf("beat lease %s: next must be read with a heartbeat deadline", read.Key)
	}
	alive := []string{}
	values := map[string]types.AttributeValue{
		":d": str(fmtTime(*next.HeartbeatDeadline)), ":created": str(fmtTime(read.CreatedAt)),
		":t": num(int64(read.HeartbeatTimeoutMinutes)), ":one": num(1), ":b": str(names.Beating), ":now": str(fmtTime(time.Now())),
	}
	for i, s := range lease.Statuses {
		if s.CanBeat() {
			p := fmt.Sprintf(":s%d", i)
			alive = append(alive, p)
			values[p] = str(string(s))
		}
	}
	out, err := ls.s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(ls.s.tables.Leases),
		Key:              leaseKey(read.Key),
		UpdateExpression: aws.String("SET #d = :d, #b = :b, #m = :now ADD #v :one"),
		ConditionExpression: aws.String("#c = :created AND #t = :t AND #s IN (" + strings.Join(alive, ", ") +
			") AND (attribute_not_exists(#d) OR #d < :d)"),
		ExpressionAttributeNames: map[string]string{
			"#d": names.AttrHeartbeatDeadline, "#c": attrCreatedDate, "#t": attrHeartbeatTimeout,
			"#b": names.AttrBeating, "#s": names.AttrStatus, "#v": names.AttrVersion, "#m": "lastModifiedDate",
		},
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return beatRefused(read, ccf.Item)
	}
	if err != nil {
		return next, fmt.Errorf("beat lease %s: %w", read.Key, err)
	}
	return leaseFromItem(out.Attributes)
}

// beatRefused explains a beat whose condition failed, from the item as it
// was: gone, ended, replaced, or already beaten further (then it answers
// nothing wrong: the later deadline stands).
func beatRefused(read lease.Lease, current map[string]types.AttributeValue) (lease.Lease, error) {
	if len(current) == 0 {
		return read, &fault.NotFoundError{Entity: "lease", Key: read.Key.String()}
	}
	cur, err := leaseFromItem(current)
	if err != nil {
		return read, err
	}
	switch {
	case !cur.CreatedAt.Equal(read.CreatedAt):
		return read, &fault.NotFoundError{Entity: "lease", Key: read.Key.String()}
	case !cur.Status.CanBeat():
		return cur, &fault.ConflictError{Entity: "lease", Key: read.Key.String(),
			Reason: "it has ended (" + string(cur.Status) + ")"}
	case !cur.Beats():
		var f fault.Fields
		f.Add("heartbeatTimeoutMinutes", "this lease was requested without a heartbeat")
		return cur, f.Err()
	}
	return cur, nil
}

// Overdue returns the leases whose heartbeat deadline is before now,
// earliest first, through the sparse heartbeat index (never a scan): only
// leases that beat and have not ended are in it. The index is eventually
// consistent, so callers re-read each lease before acting on it.
func (ls LeaseStore) Overdue(ctx context.Context, now time.Time) ([]lease.Lease, error) {
	in := &dynamodb.QueryInput{
		TableName:                aws.String(ls.s.tables.Leases),
		IndexName:                aws.String(names.HeartbeatIndex),
		KeyConditionExpression:   aws.String("#b = :b AND #d < :now"),
		ExpressionAttributeNames: map[string]string{"#b": names.AttrBeating, "#d": names.AttrHeartbeatDeadline},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":b": str(names.Beating), ":now": str(fmtTime(now)),
		},
	}
	var out []lease.Lease
	for {
		page, err := ls.s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query overdue leases: %w", err)
		}
		ls, err := decodeLeases(page.Items)
		if err != nil {
			return nil, err
		}
		out = append(out, ls...)
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
