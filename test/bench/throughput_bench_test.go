package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/isb-go/isb/cmd/localmode"
	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/lifecycle/wiring"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

// terminationsEnv overrides the number of terminations (1,000 by default),
// for a quicker look.
const terminationsEnv = "ISB_BENCH_TERMINATIONS"

// lifecycleQueue is one way of running the lifecycle manager behind its
// queue.
type lifecycleQueue struct {
	// fifo: one FIFO message group, as upstream's queue.
	fifo               bool
	batch, concurrency int
}

var (
	// deployed is the stacks' event-source mapping (names.LifecycleConsumer).
	deployed = lifecycleQueue{batch: names.LifecycleConsumer.BatchSize,
		concurrency: names.LifecycleConsumer.MaxConcurrency}
	// upstream is how upstream runs the same code: a FIFO queue with one
	// message group, batch size 1, so one message at a time.
	upstream = lifecycleQueue{fifo: true, batch: 1, concurrency: 1}
)

// throughputRun is one measured configuration.
type throughputRun struct {
	name  string
	queue lifecycleQueue
	// latency is added to every AWS call the manager makes.
	latency time.Duration
	// throttle is the share of MoveAccount and ListParents calls
	// Organizations answers with TooManyRequestsException.
	throttle float64
}

// throughputResult is what a run measured.
type throughputResult struct {
	took        time.Duration
	perSecond   float64
	calls       int
	throttled   int
	invocations int
	redelivered int
}

// BenchmarkLifecycleThroughput measures 1,000 lease terminations through
// the lifecycle manager's production handler (wiring.Function.Build)
// behind local mode's event-source mapping (localmode.Mapping): each
// lease ManuallyTerminated, its account Active in the Active OU with the
// lessee assigned. The 1,000 LeaseTerminated events are on the queue
// before the clock starts; it stops when the handler has reported the
// last account done. Then every account is checked: row in CleanUp, in
// the CleanUp OU, no user assignment, the CleanAccountRequest delivered
// (outbox empty), the DLQ empty.
//
//   - deployed: standard queue, batch size and concurrency of
//     names.LifecycleConsumer (the stack's).
//   - upstream: a FIFO queue with one message group, batch 1,
//     concurrency 1 (moto keeps the group's order; with one poller and
//     batch 1 nothing else could overlap anyway).
//
// Every AWS call of the manager waits latency first (client side, so
// calls in flight overlap it while moto serves one request at a time);
// the runs with 0 ms show what moto's own service time allows. The
// throttled run answers 30% of MoveAccount and ListParents calls with
// TooManyRequestsException. Set-up is not timed; the organization's
// accounts are created once and put back for each run.
func BenchmarkLifecycleThroughput(b *testing.B) {
	n := terminations(b)
	ms30 := 30 * time.Millisecond
	runs := []throughputRun{
		{name: "upstream/latency=30ms", queue: upstream, latency: ms30},
		{name: "deployed/latency=30ms", queue: deployed, latency: ms30},
		{name: "deployed/latency=30ms/throttled=30%", queue: deployed, latency: ms30, throttle: 0.3},
		{name: "upstream/latency=0", queue: upstream},
		{name: "deployed/latency=0", queue: deployed},
	}
	results := map[string]throughputResult{}
	for _, r := range runs {
		b.Run(r.name, func(b *testing.B) {
			var last throughputResult
			for range b.N {
				last = measureTerminations(b, n, r)
			}
			results[r.name] = last
			b.ReportMetric(last.perSecond, "terminations/s")
			b.ReportMetric(float64(last.calls)/float64(n), "aws-calls/termination")
			b.ReportMetric(float64(last.redelivered), "redelivered")
			b.ReportMetric(float64(last.throttled), "throttled")
		})
	}
	for _, lat := range []string{"30ms", "0"} {
		up, dep := results["upstream/latency="+lat], results["deployed/latency="+lat]
		if up.perSecond > 0 && dep.perSecond > 0 {
			fmt.Printf("lifecycle throughput, latency %s: deployed %.1f/s, upstream %.1f/s: %.1fx\n",
				lat, dep.perSecond, up.perSecond, dep.perSecond/up.perSecond)
		}
	}
}

func terminations(b *testing.B) int {
	if v := os.Getenv(terminationsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("%s=%q: want a positive number", terminationsEnv, v)
		}
		return n
	}
	return 1000
}

// measureTerminations sets up n terminated leases, runs the manager until
// every account converged and checks the outcome.
func measureTerminations(b *testing.B, n int, r throughputRun) throughputResult {
	b.StopTimer()
	ctx := context.Background()
	setUp := time.Now()
	w := terminationWorldOf(b, n)
	q := w.queue(r.queue.fifo)
	w.publish(q, r.queue.fifo)
	b.Logf("set-up of %d terminations: %.1fs", n, time.Since(setUp).Seconds())

	network := &emulator.Network{Latency: r.latency, OrgThrottleRate: r.throttle,
		OrgThrottled: []string{"MoveAccount", "ListParents"}, Seed: 7}
	handler := w.handler(network)
	done := newConvergence(n)
	m := &localmode.Mapping{SQS: sqs.NewFromConfig(w.cfg), Queue: names.LifecycleQueue, QueueURL: q.url,
		QueueARN: q.arn, BatchSize: r.queue.batch, Concurrency: r.queue.concurrency, RetryDelay: time.Second,
		Invoke: func(ctx context.Context, ev awsevents.SQSEvent) ([]byte, error) {
			in, err := json.Marshal(ev)
			if err != nil {
				return nil, err
			}
			out, err := handler.Invoke(ctx, in)
			done.record(ev, out, err)
			return out, err
		}}
	// The handler logs every change; a thousand terminations would bury
	// the figures.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, nil)))

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var pollErrs []string
	var mu sync.Mutex
	b.StartTimer()
	began := time.Now()
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.Run(runCtx, func(err error) { mu.Lock(); pollErrs = append(pollErrs, err.Error()); mu.Unlock() })
	}()
	deadline := time.NewTimer(30 * time.Minute)
	defer deadline.Stop()
	select {
	case <-done.all:
	case <-deadline.C:
	}
	took := time.Since(began)
	b.StopTimer()
	// The last batches are deleted right after the handler answered.
	w.drained(q)
	stop()
	wg.Wait()
	if len(pollErrs) > 0 {
		b.Logf("%d polls failed, first: %s", len(pollErrs), pollErrs[0])
	}
	if got := done.count(); got < n {
		b.Fatalf("%d of %d accounts converged in %s", got, n, took)
	}
	w.checkConverged(q)
	res := throughputResult{took: took, perSecond: float64(n) / took.Seconds(), calls: network.Calls(),
		throttled:   network.Throttled("MoveAccount") + network.Throttled("ListParents"),
		invocations: done.invocations(), redelivered: done.redelivered()}
	fmt.Printf("lifecycle throughput %s: %d terminations in %.1fs = %.1f/s; %d AWS calls (%.1f per termination), "+
		"%d throttled, %d invocations, %d messages delivered again\n", r.name, n, took.Seconds(), res.perSecond,
		res.calls, float64(res.calls)/float64(n), res.throttled, res.invocations, res.redelivered)
	return res
}

// convergence counts the accounts the handler reported done.
type convergence struct {
	n        int
	all      chan struct{}
	mu       sync.Mutex
	done     map[string]bool
	invoked  int
	attempts int
}

func newConvergence(n int) *convergence {
	return &convergence{n: n, all: make(chan struct{}), done: map[string]bool{}}
}

// record notes a batch's outcome: every message not reported as failed is
// an account brought in line.
func (c *convergence) record(ev awsevents.SQSEvent, out []byte, err error) {
	failed := map[string]bool{}
	if err == nil {
		var resp awsevents.SQSEventResponse
		if len(out) > 0 && json.Unmarshal(out, &resp) != nil {
			err = fmt.Errorf("answer %s", out)
		}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invoked++
	c.attempts += len(ev.Records)
	if err != nil {
		return
	}
	for _, r := range ev.Records {
		if failed[r.MessageId] {
			continue
		}
		_, e, perr := events.ParseEnvelope([]byte(r.Body))
		if perr != nil {
			continue
		}
		c.done[events.AccountOf(e)] = true
	}
	if len(c.done) == c.n {
		select {
		case <-c.all:
		default:
			close(c.all)
		}
	}
}

func (c *convergence) count() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.done) }

func (c *convergence) invocations() int { c.mu.Lock(); defer c.mu.Unlock(); return c.invoked }

// redelivered is how many deliveries went beyond one per message.
func (c *convergence) redelivered() int { c.mu.Lock(); defer c.mu.Unlock(); return c.attempts - c.n }

// terminationWorld is the platform around n terminated leases.
type terminationWorld struct {
	b        *testing.B
	cfg      aws.Config
	store    *ddbstore.Store
	org      *fixture.Org
	ic       *fixture.IdentityCenter
	leases   []lease.Lease
	accounts []string
	users    map[string]string // email → Identity Center user id
	conf     string            // the AppConfig extension stand-in's port
	runs     int               // runs armed so far
}

// built is the world of the benchmark's first run. moto takes about half
// a second to create an organization account (it sets up the account's
// IAM), so the accounts are created once and the later runs only put them
// back (armTerminations).
var built *terminationWorld

// terminationWorldOf returns n accounts in the Active OU each held by a
// ManuallyTerminated lease whose lessee is still assigned: the state right
// after the API ended the leases.
func terminationWorldOf(b *testing.B, n int) *terminationWorld {
	b.Helper()
	if built == nil || len(built.accounts) != n {
		built = newTerminationWorld(b, n)
	}
	built.b = b
	built.arm()
	return built
}

// newTerminationWorld empties the emulator and creates the tables, the
// bus, the organization with n accounts in the Active OU, Identity Center
// with the lessees, and the parameters.
func newTerminationWorld(b *testing.B, n int) *terminationWorld {
	b.Helper()
	ctx := context.Background()
	cfg := emulator.Config(b)
	w := &terminationWorld{b: b, cfg: cfg, store: fixture.Store(b, cfg), users: map[string]string{}}
	// The bus alone: the CleanAccountRequests go nowhere (nothing here
	// runs cleanups), and a tap queue would charge the run for moto's
	// walk over its queued messages on every send.
	if _, err := eventbridge.NewFromConfig(cfg).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{
		Name: aws.String(fixture.BusName)}); err != nil {
		b.Fatal(err)
	}
	w.org = fixture.NewOrg(b, cfg)
	w.ic = fixture.NewIdentityCenter(b, cfg, fixture.HubAccount, fixture.IdcAccount)
	fixture.PutParam(b, cfg, fixture.PoolParamName, w.org.PoolParam(fixture.EmulatorAccount))
	fixture.PutParam(b, cfg, fixture.IdcParamName, w.ic.Param)
	w.conf = serveGlobalConfig(b)
	for i := range min(n, 50) {
		email := fmt.Sprintf("user%d@example.com", i)
		w.users[email] = w.ic.CreateUser(email)
	}
	w.accounts = make([]string, n)
	parallel(b, n, func(i int) error {
		id, err := w.createAccount(ctx, i)
		w.accounts[i] = id
		return err
	})
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	exp := t0.Add(24 * time.Hour)
	w.leases = make([]lease.Lease, n)
	for i := range n {
		k := lease.Key{UserEmail: fmt.Sprintf("user%d@example.com", i%len(w.users)),
			UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i)}
		w.leases[i] = lease.Lease{Key: k, Status: lease.ManuallyTerminated, AccountID: w.accounts[i],
			Terms:      lease.Terms{LeaseDurationInHours: aws.Float64(24), MaxSpend: aws.Float64(50)},
			ApprovedBy: "manager@example.com", StartDate: t0, ExpirationDate: &exp, EndDate: t0.Add(time.Hour),
			CreatedAt: t0, StatusChangedAt: t0.Add(time.Hour)}
	}
	return w
}

// arm writes the leases and the Active account rows holding them, puts
// every account back in the Active OU (after an earlier run) and assigns
// each lessee.
func (w *terminationWorld) arm() {
	w.b.Helper()
	ctx := context.Background()
	if w.runs > 0 {
		parallel(w.b, len(w.accounts), func(i int) error {
			_, err := w.org.Client.MoveAccount(ctx, &organizations.MoveAccountInput{
				AccountId: aws.String(w.accounts[i]), SourceParentId: aws.String(w.org.OUs[account.CleanUp]),
				DestinationParentId: aws.String(w.org.OUs[account.Active])})
			return err
		})
	}
	w.runs++
	rows := make([]account.Account, len(w.leases))
	for i, l := range w.leases {
		k := l.Key
		rows[i] = account.Account{ID: l.AccountID, Status: account.Active, Lease: &k,
			LastCleanedAt: l.StartDate.Add(-48 * time.Hour)}
	}
	if err := w.store.Leases().Import(ctx, w.leases); err != nil {
		w.b.Fatal(err)
	}
	if err := w.store.Accounts().Import(ctx, rows); err != nil {
		w.b.Fatal(err)
	}
	parallel(w.b, len(w.leases), func(i int) error {
		_, err := w.ic.SSO.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
			InstanceArn: aws.String(w.ic.Param.SsoInstanceArn), PermissionSetArn: aws.String(
				w.ic.Param.UserPermissionSetArn), PrincipalId: aws.String(w.users[w.leases[i].UserEmail]),
			PrincipalType: ssotypes.PrincipalTypeUser, TargetId: aws.String(w.accounts[i]),
			TargetType: ssotypes.TargetTypeAwsAccount})
		return err
	})
}

// createAccount creates the i-th organization account in the Active OU.
func (w *terminationWorld) createAccount(ctx context.Context, i int) (string, error) {
	name := fmt.Sprintf("sandbox-%04d", i)
	out, err := w.org.Client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name),
		Email: aws.String(name + "@example.com")})
	if err != nil {
		return "", err
	}
	st, err := w.org.Client.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{
		CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil {
		return "", err
	}
	id := aws.ToString(st.CreateAccountStatus.AccountId)
	_, err = w.org.Client.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id),
		SourceParentId: aws.String(w.org.Root), DestinationParentId: aws.String(w.org.OUs[account.Active])})
	return id, err
}

// parallel runs f for 0..n-1, eight at a time, and fails b on the first
// error (after every call returned).
func parallel(b *testing.B, n int, f func(i int) error) {
	b.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("item %d: %w", i, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}

// serveGlobalConfig stands in for the AppConfig Lambda extension, serving
// the default global configuration, and returns its port.
func serveGlobalConfig(b *testing.B) string {
	b.Helper()
	doc, err := json.Marshal(config.DefaultGlobal())
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(
		func(rw http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/"+names.GlobalConfigProfile) {
				http.NotFound(rw, r)
				return
			}
			_, _ = rw.Write(doc)
		})}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// benchQueue is the lifecycle queue of a run.
type benchQueue struct{ url, arn, dlqURL string }

// queue creates the lifecycle queue with its DLQ as the stack does
// (visibility six times the function's timeout, maxReceiveCount from
// names), FIFO when fifo.
func (w *terminationWorld) queue(fifo bool) benchQueue {
	w.b.Helper()
	ctx := context.Background()
	api := sqs.NewFromConfig(w.cfg)
	c := names.LifecycleConsumer
	name, attrs := fmt.Sprintf("%s-%d", names.Physical(fixture.Namespace, c.Queue), w.runs), map[string]string{}
	if fifo {
		name += ".fifo"
		attrs[string(sqstypes.QueueAttributeNameFifoQueue)] = "true"
	}
	dlqName := strings.TrimSuffix(name, ".fifo") + "DLQ"
	if fifo {
		dlqName += ".fifo"
	}
	dlq, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(dlqName), Attributes: attrs})
	if err != nil {
		w.b.Fatal(err)
	}
	dlqArn := queueArn(w.b, api, aws.ToString(dlq.QueueUrl))
	redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlqArn, "maxReceiveCount": c.MaxReceiveCount})
	attrs[string(sqstypes.QueueAttributeNameVisibilityTimeout)] = strconv.Itoa(6 * c.TimeoutSeconds)
	attrs[string(sqstypes.QueueAttributeNameRedrivePolicy)] = string(redrive)
	out, err := api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		w.b.Fatal(err)
	}
	url := aws.ToString(out.QueueUrl)
	return benchQueue{url: url, arn: queueArn(w.b, api, url), dlqURL: aws.ToString(dlq.QueueUrl)}
}

func queueArn(b *testing.B, api *sqs.Client, url string) string {
	b.Helper()
	out, err := api.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		b.Fatal(err)
	}
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

// publish puts one LeaseTerminated per lease on the queue, as the bus
// rule delivers it; on a FIFO queue all in one message group.
func (w *terminationWorld) publish(q benchQueue, fifo bool) {
	w.b.Helper()
	ctx := context.Background()
	api := sqs.NewFromConfig(w.cfg)
	for start := 0; start < len(w.leases); start += 10 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for i := start; i < min(start+10, len(w.leases)); i++ {
			l := w.leases[i]
			id := fmt.Sprintf("00000000-0000-4000-9000-%012d", i)
			env, err := events.NewEnvelope(events.LeaseTerminated{LeaseID: l.Key, AccountID: l.AccountID,
				Reason: events.TerminatedWithComment(events.TerminationManual, "benchmark")}, id,
				fixture.HubAccount, emulator.Region, l.StatusChangedAt)
			if err != nil {
				w.b.Fatal(err)
			}
			body, _ := json.Marshal(env)
			e := sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(
				string(body))}
			if fifo {
				e.MessageGroupId, e.MessageDeduplicationId = aws.String("lifecycle"), aws.String(id)
			}
			entries = append(entries, e)
		}
		out, err := api.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url),
			Entries: entries})
		if err != nil {
			w.b.Fatal(err)
		}
		if len(out.Failed) > 0 {
			w.b.Fatalf("send: %+v", out.Failed[0])
		}
	}
}

// handler builds the manager's production handler with the stack's
// environment, on an AWS configuration that goes through network and
// keeps the SDK's default retries, as in Lambda.
func (w *terminationWorld) handler(network *emulator.Network) lambda.Handler {
	w.b.Helper()
	t := w.store.Tables()
	vars := map[string]string{
		names.EnvNamespace: fixture.Namespace, names.EnvLeaseTable: t.Leases, names.EnvAccountTable: t.Accounts,
		names.EnvOutboxTable: t.Outbox, names.EnvEventBus: fixture.BusName, names.EnvHubAccountID: fixture.HubAccount,
		names.EnvAccountPoolParam: fixture.PoolParamName, names.EnvIdcConfigParam: fixture.IdcParamName,
		appconfig.ExtensionPortEnv: w.conf,
	}
	env, missing := wiring.Function.Env(func(k string) string { return vars[k] })
	if len(missing) > 0 {
		w.b.Fatalf("the lifecycle manager needs %v", missing)
	}
	cfg := w.cfg.Copy()
	cfg.Retryer, cfg.RetryMaxAttempts = nil, 0
	h, err := wiring.Function.Build(context.Background(), env, network.Wrap(cfg))
	if err != nil {
		w.b.Fatal(err)
	}
	return lambda.NewHandler(h)
}

// drained waits until the queue holds no message, visible or in flight
// (20 s at most: checkConverged reports what is left).
func (w *terminationWorld) drained(q benchQueue) {
	w.b.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for {
		if w.queued(q.url) == 0 {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			return
		}
	}
}

// queued is how many messages a queue holds, visible or in flight.
func (w *terminationWorld) queued(url string) int {
	w.b.Helper()
	out, err := sqs.NewFromConfig(w.cfg).GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		w.b.Fatal(err)
	}
	total := 0
	for _, v := range out.Attributes {
		n, _ := strconv.Atoi(v)
		total += n
	}
	return total
}

// checkConverged fails b unless every account is where the termination
// leaves it and nothing is left on the queue or its DLQ.
func (w *terminationWorld) checkConverged(q benchQueue) {
	w.b.Helper()
	ctx := context.Background()
	if n := w.queued(q.dlqURL); n > 0 {
		w.b.Errorf("the DLQ holds %d messages", n)
	}
	// moto's SQS takes no lock: under concurrent receives it has left a
	// message counted in flight after its delete. A message still queued
	// would only be handled again (idempotently); it is reported.
	if n := w.queued(q.url); n > 0 {
		w.b.Logf("the queue still counts %d messages", n)
	}
	inCleanUp := map[string]bool{}
	pages := organizations.NewListAccountsForParentPaginator(w.org.Client, &organizations.ListAccountsForParentInput{
		ParentId: aws.String(w.org.OUs[account.CleanUp])})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			w.b.Fatal(err)
		}
		for _, a := range page.Accounts {
			inCleanUp[aws.ToString(a.Id)] = true
		}
	}
	for _, id := range w.accounts {
		if !inCleanUp[id] {
			w.b.Errorf("account %s is not in the CleanUp OU", id)
		}
		if a := fixture.Account(w.b, w.store, id); a.Status != account.CleanUp {
			w.b.Errorf("account %s is %s, want CleanUp", id, a.Status)
		}
		if users := w.ic.Assignees(id); len(users) > 0 {
			w.b.Errorf("account %s still has users assigned: %v", id, users)
		}
	}
	// Every CleanAccountRequest was committed with its row and delivered
	// right after: nothing is left for the relay.
	out, err := dynamodb.NewFromConfig(w.cfg).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(
		w.store.Tables().Outbox), Select: "COUNT"})
	if err != nil {
		w.b.Fatal(err)
	}
	if out.Count != 0 {
		w.b.Errorf("%d outbox records were not delivered", out.Count)
	}
	if w.b.Failed() {
		w.b.FailNow()
	}
}
