package localmode

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsappconfig "github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/isb-go/isb/common/appconfig/hosted"
	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/cleanup/localrun"
	"github.com/isb-go/isb/common/cleanup/nuke"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/sfnrun"
)

// pollWait is how long one receive waits for messages (long polling).
const pollWait = 1

// startConsumers polls each consumer's queue as its event-source mapping
// does (Mapping), with the stacks' batch size and MaxConcurrency.
func (p *Platform) startConsumers() {
	for _, c := range []names.Consumer{names.LifecycleConsumer, names.EmailConsumer, names.CleanupWorkerConsumer} {
		if _, ok := p.fns[c.Function]; !ok {
			continue
		}
		q := p.world.queues[c.Queue]
		m := &Mapping{SQS: sqs.NewFromConfig(p.cfg), Queue: c.Queue, QueueURL: q.url, QueueARN: q.arn,
			BatchSize: c.BatchSize, Concurrency: c.MaxConcurrency, RetryDelay: p.opts.RetryDelay,
			Invoke: func(ctx context.Context, ev events.SQSEvent) ([]byte, error) {
				return p.invoke(ctx, c.Function, ev)
			}}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			m.Run(p.ctx, func(err error) { p.log.Warn("poll", "queue", c.Queue, "error", err.Error()) })
		}()
	}
}

// startCodeBuild serves local mode's CodeBuild: the cleanup worker (the
// production handler, on the build queue's poller) starts its builds
// there, and each build runs the local cleaner (the real aws-nuke through
// nuke.Cleaner, the configuration read from AppConfig for each build as
// the CodeBuild build reads it) and answers the state machine's task
// token. At most Builds run at once; CodeBuild's quota refusal beyond
// that is what the worker sees. Every other call of the worker goes on to
// the emulator.
func (p *Platform) startCodeBuild() error {
	conf := hosted.New(awsappconfig.NewFromConfig(p.cfg), p.world.data.AppConfigApplicationID, p.world.profileIDs)
	clean := func(ctx context.Context, accountID string) (cleanup.Result, error) {
		gdoc, err := conf.Fetch(ctx, names.GlobalConfigProfile)
		if err != nil {
			return cleanup.Result{}, err
		}
		g, err := config.ParseGlobal(gdoc)
		if err != nil {
			return cleanup.Result{}, err
		}
		template, err := conf.Fetch(ctx, names.NukeConfigProfile)
		if err != nil {
			return cleanup.Result{}, err
		}
		work, err := os.MkdirTemp("", "isb-local-cleaner-")
		if err != nil {
			return cleanup.Result{}, err
		}
		defer func() { _ = os.RemoveAll(work) }()
		binary := p.opts.NukeBinary
		if p.failing.Add(-1) >= 0 {
			binary = "/bin/false" // an aws-nuke that fails every pass
		} else {
			p.failing.Store(0)
		}
		c := &nuke.Cleaner{Base: p.cfg, Namespace: p.ns,
			Accounts: cleanup.Accounts{Hub: HubAccount, Management: ManagementAccount, IDC: IdcAccount},
			Template: template, Policy: cleanup.PolicyFrom(g.Cleanup), Binary: binary,
			Endpoint: p.emu.URL(), WorkDir: work, Output: &nukeLog{p: p, account: accountID},
			Log: p.log.With("account_id", accountID)}
		return c.Clean(ctx, accountID)
	}
	emu, err := url.Parse(p.emu.URL())
	if err != nil {
		return fmt.Errorf("emulator endpoint: %w", err)
	}
	p.codebuild = &localrun.CodeBuild{Quota: max(p.opts.Builds, 0), Clean: clean,
		SFN: sfnrun.New(sfn.NewFromConfig(p.cfg)),
		Next: &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(emu)
			r.Out.Host = emu.Host
		}},
		Log: p.log.With("component", "local-codebuild"), Context: p.ctx}
	ln, err := listen(0)
	if err != nil {
		return fmt.Errorf("local CodeBuild: %w", err)
	}
	p.cbServer = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: p.codebuild}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); _ = p.cbServer.Serve(ln) }()
	p.cbURL = "http://" + ln.Addr().String()
	return nil
}

// CodeBuild reports the builds local mode's CodeBuild ran: the most at
// once and the starts its quota refused.
func (p *Platform) CodeBuild() localrun.Stats { return p.codebuild.Stats() }

// DeadLetters counts the messages in the dead-letter queue of queue (a
// base name such as names.CleanupBuildQueue).
func (p *Platform) DeadLetters(ctx context.Context, queue string) (int, error) {
	api := sqs.NewFromConfig(p.cfg)
	u, err := api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(names.Physical(p.ns, queue) + "DLQ")})
	if err != nil {
		return 0, fmt.Errorf("dead-letter queue of %s: %w", queue, err)
	}
	out, err := api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		return 0, fmt.Errorf("dead-letter queue of %s: %w", queue, err)
	}
	n := 0
	for _, v := range out.Attributes {
		k, _ := strconv.Atoi(v)
		n += k
	}
	return n, nil
}

// FailNextCleanups makes the next n cleanups fail: their aws-nuke fails
// every pass, as one that cannot delete a resource does (for tests and
// demonstrations of quarantine).
func (p *Platform) FailNextCleanups(n int) { p.failing.Store(int64(n)) }

// nukeLog drops aws-nuke's own output (one JSON line per resource) unless
// ISB_LOCAL_NUKE_LOG is set, keeping the platform's log readable.
type nukeLog struct {
	p       *Platform
	account string
}

func (n *nukeLog) Write(b []byte) (int, error) {
	if os.Getenv("ISB_LOCAL_NUKE_LOG") != "" {
		return n.p.opts.Log.Write(b)
	}
	return len(b), nil
}

// Jobs are the scheduled jobs RunNow accepts: the function each
// EventBridge Scheduler schedule (or rule) runs.
var Jobs = []string{names.LeaseMonitorFunction, names.DriftMonitorFunction, names.CostReportFunction,
	names.OutboxRelayFunction, names.CleanupWatchdogFunction, names.ReaperFunction}

// jobMu keeps one run of each job at a time, as a schedule with a
// function concurrency of one would.
var jobMu sync.Map

// RunNow runs a scheduled job once, now, and returns when it has finished.
func (p *Platform) RunNow(ctx context.Context, job string) error {
	_, err := p.Run(ctx, job)
	return err
}

// Run is RunNow returning the job's answer (its JSON summary).
func (p *Platform) Run(ctx context.Context, job string) (json.RawMessage, error) {
	mu, _ := jobMu.LoadOrStore(p.ns+job, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	var payload any = map[string]any{}
	if job == names.CleanupWatchdogFunction {
		// The watchdog's sweep is an EventBridge rule's scheduled event.
		payload = events.CloudWatchEvent{Version: "0", ID: strconv.FormatInt(time.Now().UnixNano(), 10),
			DetailType: "Scheduled Event", Source: "aws.events", AccountID: HubAccount, Time: time.Now().UTC(),
			Region: Region, Detail: json.RawMessage(`{}`)}
	}
	return p.invoke(ctx, job, payload)
}

// startTickers runs each job with an interval every interval.
func (p *Platform) startTickers() {
	iv := p.opts.Intervals
	for job, every := range map[string]time.Duration{
		names.LeaseMonitorFunction: iv.LeaseMonitor, names.DriftMonitorFunction: iv.DriftMonitor,
		names.CostReportFunction: iv.CostReport, names.OutboxRelayFunction: iv.OutboxSweep,
		names.CleanupWatchdogFunction: iv.CleanupWatchdog, names.ReaperFunction: iv.Reaper,
	} {
		if every <= 0 {
			continue
		}
		if _, ok := p.fns[job]; !ok {
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-p.ctx.Done():
					return
				case <-t.C:
					_ = p.RunNow(p.ctx, job)
				}
			}
		}()
	}
}
