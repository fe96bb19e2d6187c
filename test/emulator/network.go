package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// orgTarget prefixes the X-Amz-Target header of every Organizations call.
const orgTarget = "AWSOrganizationsV20161128."

// Network sits between the SDK and the emulator and adds what a call to
// AWS has and one to moto on loopback lacks: a network round trip
// (Latency, waited on the client side, so calls in flight overlap it while
// moto still serves one request at a time) and Organizations' throttling
// (its low per-account API rates answer with HTTP 400
// TooManyRequestsException during mass moves). A throttled call never
// reaches the emulator, as on AWS. It counts every call by operation. Use
// it through [Network.Wrap]; a Network is safe for concurrent use.
type Network struct {
	// Latency is added to every call.
	Latency time.Duration
	// OrgThrottleRate is the share (0 to 1) of the Organizations calls
	// named in OrgThrottled answered with TooManyRequestsException.
	OrgThrottleRate float64
	// OrgThrottled names the throttled operations ("MoveAccount").
	OrgThrottled []string
	// OrgThrottleRun, when set, answers each throttled operation on each
	// account (its AccountId or ChildId) with TooManyRequestsException
	// that many times in a row before letting it through: a sustained
	// limit, which a retry right after does not escape.
	OrgThrottleRun int
	// Seed makes the choices repeatable; 0 seeds at random.
	Seed uint64

	calls atomic.Int64
	// t counts calls and throttled answers by operation, and throttled
	// answers so far by operation and account (keyed).
	t tally
}

// Wrap returns a copy of cfg whose calls pass through n.
func (n *Network) Wrap(cfg aws.Config) aws.Config {
	out := cfg.Copy()
	next := cfg.HTTPClient
	if next == nil {
		next = http.DefaultClient
	}
	out.HTTPClient = networkClient{next: next, n: n}
	return out
}

// Calls returns how many calls went through n (throttled ones included).
func (n *Network) Calls() int { return int(n.calls.Load()) }

// CallsOf returns how many calls of an operation went through n: op is
// the operation of the X-Amz-Target header ("MoveAccount", "GetItem"), or
// method and path for the query protocols ("POST /" for STS).
func (n *Network) CallsOf(op string) int {
	return n.t.get(n.Seed, func(t *tally) int { return t.calls[op] })
}

// Throttled returns how many calls of op n answered with
// TooManyRequestsException.
func (n *Network) Throttled(op string) int {
	return n.t.get(n.Seed, func(t *tally) int { return t.injected[op] })
}

// Reset forgets the counts.
func (n *Network) Reset() {
	n.calls.Store(0)
	n.t.reset(n.Seed)
}

// count records a call of op on subject (the account it names) and
// reports whether to throttle it.
func (n *Network) count(op, subject string, org bool) (throttle bool) {
	n.calls.Add(1)
	n.t.with(n.Seed, func(t *tally) {
		t.calls[op]++
		if !org || !contains(n.OrgThrottled, op) {
			return
		}
		throttle = n.OrgThrottleRate > 0 && t.rng.Float64() < n.OrgThrottleRate
		if key := op + " " + subject; n.OrgThrottleRun > 0 && t.keyed[key] < n.OrgThrottleRun {
			t.keyed[key]++
			throttle = true
		}
		if throttle {
			t.injected[op]++
		}
	})
	return throttle
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

type networkClient struct {
	next aws.HTTPClient
	n    *Network
}

func (c networkClient) Do(req *http.Request) (*http.Response, error) {
	op, org := operation(req)
	var subject string
	if org && c.n.OrgThrottleRun > 0 {
		body, err := readBody(req)
		if err != nil {
			return nil, err
		}
		var in struct{ AccountId, ChildId string }
		_ = json.Unmarshal(body, &in)
		subject = in.AccountId + in.ChildId
	}
	throttle := c.n.count(op, subject, org)
	if err := wait(req.Context(), c.n.Latency); err != nil {
		return nil, err
	}
	if throttle {
		return tooManyRequests(req), nil
	}
	return c.next.Do(req)
}

// operation names the call: the operation of an X-Amz-Target (JSON
// protocols), else its method and path; org tells an Organizations call.
func operation(req *http.Request) (op string, org bool) {
	if target := req.Header.Get("X-Amz-Target"); target != "" {
		if op, ok := strings.CutPrefix(target, orgTarget); ok {
			return op, true
		}
		return target[strings.LastIndex(target, ".")+1:], false
	}
	return req.Method + " " + req.URL.Path, false
}

func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// tooManyRequests is Organizations' throttling answer in its JSON 1.1
// protocol.
func tooManyRequests(req *http.Request) *http.Response {
	body, _ := json.Marshal(map[string]string{
		"__type": "TooManyRequestsException",
		"Message": "You have sent too many requests in too short a period of time. The quota helps protect " +
			"against denial-of-service attacks. Try again later.",
		"Type": "AWSOrganizations",
	})
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Amzn-Requestid", requestID())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status: "400 Bad Request", StatusCode: http.StatusBadRequest,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
		Request: req,
	}
}
