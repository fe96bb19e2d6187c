package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// dynamoTarget prefixes the X-Amz-Target header of every DynamoDB call.
const dynamoTarget = "DynamoDB_20120810."

// Faults sits between the SDK and the emulator and makes DynamoDB behave
// as it does under contention, which moto never shows: moto serialises
// every request under one lock, so two transactions never overlap there.
// At the configured rates it answers, without forwarding to the emulator,
//
//   - TransactWriteItems with HTTP 400 TransactionCanceledException whose
//     CancellationReasons carry TransactionConflict for the conflicting
//     items and None for the others, and
//   - PutItem, UpdateItem and DeleteItem with HTTP 400
//     TransactionConflictException (a single write touching an item that a
//     running transaction holds),
//
// byte for byte as DynamoDB's JSON protocol does. Nothing is written for
// an answered call, as on DynamoDB. It also counts every DynamoDB call by
// operation. Use it through [Faults.Wrap]; a Faults is safe for
// concurrent use.
type Faults struct {
	// TransactionConflictRate is the share (0 to 1) of TransactWriteItems
	// calls answered with a TransactionConflict.
	TransactionConflictRate float64
	// WriteConflictRate is the share of PutItem, UpdateItem and DeleteItem
	// calls answered with TransactionConflictException.
	WriteConflictRate float64
	// Conflicting, when set, names the items of a transaction that
	// conflict (indexes into items); an empty answer lets the call through.
	// When nil, one item picked at random conflicts.
	Conflicting func(items []TransactItem) []int
	// Seed makes the choices repeatable; 0 seeds at random.
	Seed uint64

	t tally
}

// TransactItem is one item of an intercepted TransactWriteItems call.
type TransactItem struct {
	// Kind is Put, Update, Delete or ConditionCheck.
	Kind  string
	Table string
	// Attrs holds the string attributes of the item's key (for Put, of
	// the whole item), for choosing which items conflict.
	Attrs map[string]string
}

// Wrap returns a copy of cfg whose DynamoDB calls pass through f.
func (f *Faults) Wrap(cfg aws.Config) aws.Config {
	out := cfg.Copy()
	next := cfg.HTTPClient
	if next == nil {
		next = http.DefaultClient
	}
	out.HTTPClient = faultClient{next: next, f: f}
	return out
}

// Calls returns how many calls of a DynamoDB operation (for example
// "Scan", "Query", "TransactWriteItems") went through f, answered or not.
func (f *Faults) Calls(op string) int {
	return f.t.get(f.Seed, func(t *tally) int { return t.calls[op] })
}

// Injected returns how many calls of op f answered with a conflict.
func (f *Faults) Injected(op string) int {
	return f.t.get(f.Seed, func(t *tally) int { return t.injected[op] })
}

// Reset forgets the counts.
func (f *Faults) Reset() { f.t.reset(f.Seed) }

// roll counts a call of op and reports whether it is to be answered with a
// conflict, at rate.
func (f *Faults) roll(op string, rate float64) (conflict bool) {
	f.t.with(f.Seed, func(t *tally) {
		t.calls[op]++
		conflict = rate > 0 && t.rng.Float64() < rate
	})
	return conflict
}

func (f *Faults) count(op string) { f.t.with(f.Seed, func(t *tally) { t.injected[op]++ }) }

func (f *Faults) intn(n int) (i int) {
	f.t.with(f.Seed, func(t *tally) { i = t.rng.IntN(n) })
	return i
}

type faultClient struct {
	next aws.HTTPClient
	f    *Faults
}

func (c faultClient) Do(req *http.Request) (*http.Response, error) {
	target := req.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, dynamoTarget)
	if !ok {
		return c.next.Do(req)
	}
	switch op {
	case "TransactWriteItems":
		if !c.f.roll(op, c.f.TransactionConflictRate) {
			return c.next.Do(req)
		}
		body, err := readBody(req)
		if err != nil {
			return nil, err
		}
		items, err := transactItems(body)
		if err != nil {
			return nil, err
		}
		var conflicting []int
		switch {
		case c.f.Conflicting != nil:
			conflicting = c.f.Conflicting(items)
		case len(items) > 0:
			conflicting = []int{c.f.intn(len(items))}
		}
		if len(conflicting) == 0 {
			return c.next.Do(req)
		}
		c.f.count(op)
		return transactionConflict(req, len(items), conflicting), nil
	case "PutItem", "UpdateItem", "DeleteItem":
		if !c.f.roll(op, c.f.WriteConflictRate) {
			return c.next.Do(req)
		}
		c.f.count(op)
		return dynamoError(req, "TransactionConflictException",
			map[string]any{"message": "Transaction is ongoing for the item"}), nil
	default:
		c.f.roll(op, 0)
		return c.next.Do(req)
	}
}

// readBody reads the request body and puts it back for forwarding.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("emulator faults: read request: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// transactItems decodes the items of a TransactWriteItems request.
func transactItems(body []byte) ([]TransactItem, error) {
	type target struct {
		TableName string                                `json:"TableName"`
		Key       map[string]map[string]json.RawMessage `json:"Key"`
		Item      map[string]map[string]json.RawMessage `json:"Item"`
	}
	var in struct {
		TransactItems []map[string]target `json:"TransactItems"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("emulator faults: decode TransactWriteItems: %w", err)
	}
	out := make([]TransactItem, 0, len(in.TransactItems))
	for _, wrapped := range in.TransactItems {
		for kind, t := range wrapped {
			attrs := t.Key
			if kind == "Put" {
				attrs = t.Item
			}
			it := TransactItem{Kind: kind, Table: t.TableName, Attrs: map[string]string{}}
			for name, v := range attrs {
				var s string
				if raw, ok := v["S"]; ok && json.Unmarshal(raw, &s) == nil {
					it.Attrs[name] = s
				}
			}
			out = append(out, it)
		}
	}
	return out, nil
}

// transactionConflict is DynamoDB's answer to a transaction cancelled
// because some of its items are in another transaction.
func transactionConflict(req *http.Request, n int, conflicting []int) *http.Response {
	type reason struct {
		Code    string `json:"Code"`
		Message string `json:"Message,omitempty"`
	}
	reasons := make([]reason, n)
	codes := make([]string, n)
	for i := range reasons {
		reasons[i], codes[i] = reason{Code: "None"}, "None"
	}
	for _, i := range conflicting {
		if i >= 0 && i < n {
			reasons[i] = reason{Code: "TransactionConflict", Message: "Transaction is ongoing for the item"}
			codes[i] = "TransactionConflict"
		}
	}
	return dynamoError(req, "TransactionCanceledException", map[string]any{
		"CancellationReasons": reasons,
		"Message":             "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]",
	})
}

// dynamoError is an HTTP 400 in DynamoDB's JSON protocol: the error type
// in __type, a request id and the CRC32 of the body DynamoDB sends.
func dynamoError(req *http.Request, code string, fields map[string]any) *http.Response {
	fields["__type"] = "com.amazonaws.dynamodb.v20120810#" + code
	body, _ := json.Marshal(fields)
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amzn-Requestid", requestID())
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status: "400 Bad Request", StatusCode: http.StatusBadRequest,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
		Request: req,
	}
}

// requestID looks like DynamoDB's: 52 upper-case letters and digits.
func requestID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 52)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}
