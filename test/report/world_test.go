// Package report_test runs the monthly group cost report against the
// emulator: leases in DynamoDB read through the status index, Cost
// Explorer static results in the management account reached through the
// hub's role chain, the CSV written to S3 and read back, and the events
// seen through a tap on the bus.
package report_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/costs"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/objects"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/common/report"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

const (
	hub = "111111111111"
	// mgmt is the organization's management account: Cost Explorer is
	// called there, so the static results are posted for it.
	mgmt    = "444444444444"
	logName = "/aws/lambda/isb-test-cost-reporter"
)

// now is when the scheduled run happens: 01:25 UTC on 2 November, which
// reports October 2026.
var now = time.Date(2026, 11, 2, 1, 25, 0, 0, time.UTC)

// world is one test's platform.
type world struct {
	t *testing.T
	fixture.Platform
	s3     *s3.Client
	bucket string
	ce     *recorder
	svc    *report.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	p := fixture.NewPlatform(t)
	cfg := p.Cfg
	w := &world{t: t, Platform: p,
		bucket: names.Physical(fixture.Namespace, names.ReportBucket)}
	w.s3 = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := w.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(w.bucket)}); err != nil {
		t.Fatal(err)
	}
	fixture.PutParam(
		t,
		cfg,
		fixture.PoolParamName,
		config.AccountPoolParam{EntryOuID: "ou-test-entry", OrgMgtAccountID: mgmt},
	)
	w.ce = &recorder{inner: costs.NewChain(cfg, fixture.Namespace, hub, "cost-reporter",
		poolparam.New(paramstore.New(cfg), fixture.PoolParamName, 0, nil))}
	w.svc = report.New(report.Deps{
		Leases:  w.Store.Leases(),
		Costs:   costs.Explorer{Clients: w.ce},
		Objects: objects.New(w.s3),
		Events:  fixture.Publisher(cfg),
		Bucket:  w.bucket,
		LogName: logName,
	})
	return w
}

// lease stores a lease of account in status, started at start and ended
// at end (zero while it runs), in group ("" for none).
func (w *world) lease(uuid string, status lease.Status, account, group string, start, end time.Time) {
	w.t.Helper()
	l := lease.Lease{Key: lease.Key{UserEmail: "user-" + uuid + "@example.com", UUID: uuid}, Status: status,
		AccountID: account, StartDate: start, EndDate: end}
	if group != "" {
		l.CostReportGroup = &group
	}
	if _, err := w.Store.Leases().Create(context.Background(), l, 0); err != nil {
		w.t.Fatal(err)
	}
}

// results queues Cost Explorer results in the management account, one per
// distinct request, in the order the requests will be made.
func (w *world) results(rs ...map[string]any) {
	w.t.Helper()
	if err := emulator.PostJSON(context.Background(), "/moto-api/static/ce/cost-and-usage-results",
		map[string]any{"account_id": mgmt, "results": rs}); err != nil {
		w.t.Fatal(err)
	}
}

// objects lists the keys in the report bucket.
func (w *world) objects() []string {
	w.t.Helper()
	out, err := w.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(w.bucket)})
	if err != nil {
		w.t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// read returns the content of an object in the report bucket.
func (w *world) read(key string) string {
	w.t.Helper()
	out, err := w.s3.GetObject(
		context.Background(),
		&s3.GetObjectInput{Bucket: aws.String(w.bucket), Key: aws.String(key)},
	)
	if err != nil {
		w.t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

// daily is one Cost Explorer result: amount per account on every day from
// first to last (inclusive), and a next-page token when token is set.
func daily(first, last string, amounts map[string]string, token string) map[string]any {
	from, _ := time.Parse("2006-01-02", first)
	to, _ := time.Parse("2006-01-02", last)
	var byTime []map[string]any
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		var groups []map[string]any
		for acct, amount := range amounts {
			groups = append(groups, map[string]any{"Keys": []string{acct},
				"Metrics": map[string]any{"UnblendedCost": map[string]string{"Amount": amount, "Unit": "USD"}}})
		}
		byTime = append(byTime, map[string]any{
			"TimePeriod": map[string]string{
				"Start": d.Format("2006-01-02"),
				"End":   d.AddDate(0, 0, 1).Format("2006-01-02"),
			},
			"Groups": groups, "Estimated": false,
		})
	}
	r := map[string]any{"ResultsByTime": byTime, "DimensionValueAttributes": []any{}}
	if token != "" {
		r["NextPageToken"] = token
	}
	return r
}

// recorder wraps the real Cost Explorer client of the management account:
// it records every request and fails the call numbered failCall (from 1),
// as a throttled or broken batch would.
type recorder struct {
	inner    costs.Clients
	failCall int

	mu     sync.Mutex
	client costs.API
	inputs []*costexplorer.GetCostAndUsageInput
}

func (r *recorder) Client(ctx context.Context) (costs.API, error) {
	ce, err := r.inner.Client(ctx)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.client = ce
	r.mu.Unlock()
	return r, nil
}

func (r *recorder) GetCostAndUsage(
	ctx context.Context,
	in *costexplorer.GetCostAndUsageInput,
	opts ...func(*costexplorer.Options),
) (*costexplorer.GetCostAndUsageOutput, error) {
	r.mu.Lock()
	r.inputs = append(r.inputs, in)
	n, client := len(r.inputs), r.client
	r.mu.Unlock()
	if n == r.failCall {
		return nil, fmt.Errorf("injected failure of Cost Explorer call %d", n)
	}
	return client.GetCostAndUsage(ctx, in, opts...)
}

// linkedAccounts returns the LINKED_ACCOUNT filter of request i.
func (r *recorder) linkedAccounts(i int) []string {
	return r.inputs[i].Filter.And[0].Dimensions.Values
}
