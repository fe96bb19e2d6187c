package cleanup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/cleanup/localrun"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/sfnrun"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

// pipeline is the cleanup pipeline deployed on the emulator the way the
// Compute stack deploys it on AWS: the rule CleanAccountRequest → state
// machine, the build queue, and (instead of CodeBuild) the local runner.
type pipeline struct {
	cfg      aws.Config
	store    *ddbstore.Store
	tap      *fixture.Tap
	sfn      *sfn.Client
	sqs      *sqs.Client
	machine  string
	queueURL string
	log      bytes.Buffer
}

func deployPipeline(t *testing.T) *pipeline {
	t.Helper()
	return deployPipelineWith(t, nil)
}

// deployPipelineWith deploys the pipeline with the definition's input
// changed by change (a bus or table that does not exist, to make a step
// fail).
func deployPipelineWith(t *testing.T, change func(*cleanup.DefinitionInput)) *pipeline {
	t.Helper()
	ctx := t.Context()
	p := &pipeline{cfg: emulator.Config(t)}
	p.store = fixture.Store(t, p.cfg)
	p.tap = fixture.Bus(t, p.cfg)
	p.sfn, p.sqs = sfn.NewFromConfig(p.cfg), sqs.NewFromConfig(p.cfg)
	q, err := p.sqs.CreateQueue(
		ctx,
		&sqs.CreateQueueInput{QueueName: aws.String(names.Physical(fixture.Namespace, "CleanupBuilds"))},
	)
	if err != nil {
		t.Fatal(err)
	}
	p.queueURL = aws.ToString(q.QueueUrl)
	in := cleanup.DefinitionInput{
		AccountTable: p.store.Tables().Accounts, OutboxTable: p.store.Tables().Outbox, EventBus: fixture.BusName,
		BuildQueueURL:     p.queueURL,
		ProtectedAccounts: []string{hubAccount, mgmtAccount, idcAccount}, BuildTimeoutSeconds: 900,
		MetricNamespace: names.MetricNamespace(fixture.Namespace),
	}
	if change != nil {
		change(&in)
	}
	def, err := cleanup.Definition(in)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := p.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(names.Physical(fixture.Namespace, "Cleanup")), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::" + hubAccount + ":role/cleanup-state-machine"),
	})
	if err != nil {
		t.Fatalf("create state machine: %v", err)
	}
	p.machine = aws.ToString(sm.StateMachineArn)
	eb := eventbridge.NewFromConfig(p.cfg)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("clean-account"),
		EventBusName: aws.String(fixture.BusName),
		EventPattern: aws.String(`{"detail-type":["` + names.CleanAccountRequest + `"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("clean-account"),
		EventBusName: aws.String(fixture.BusName),
		Targets: []ebtypes.Target{{Id: aws.String("cleaner"), Arn: sm.StateMachineArn, RoleArn: aws.String(
			"arn:aws:iam::" + hubAccount + ":role/events")}}}); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *pipeline) register(t *testing.T, id string, status account.Status) {
	t.Helper()
	// Seeded as an earlier run left it: a row may be created only in the
	// statuses account.New allows, and these tests need others.
	if err := p.store.Accounts().Import(t.Context(), []account.Account{{ID: id, Status: status}}); err != nil {
		t.Fatalf("register %s: %v", id, err)
	}
}

// requestCleanup puts CleanAccountRequest on the bus, as the API or the
// lifecycle manager does, and returns the execution the rule started.
func (p *pipeline) requestCleanup(t *testing.T, id string) string {
	t.Helper()
	known := p.executions(t)
	rec, err := events.NewRecord(
		events.CleanAccountRequest{AccountID: id, Reason: events.CleanupLeaseTermination},
		time.Now(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bus.New(eventbridge.NewFromConfig(p.cfg), fixture.BusName).Publish(t.Context(), []events.Record{
		rec}); err != nil {
		t.Fatalf("publish CleanAccountRequest: %v", err)
	}
	for _, e := range p.executions(t) {
		if !slices.Contains(known, e) {
			return e
		}
	}
	t.Fatal("the rule started no execution")
	return ""
}

// executions lists the state machine's executions, as an admin would.
func (p *pipeline) executions(t *testing.T) []string {
	t.Helper()
	out, err := p.sfn.ListExecutions(t.Context(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(p.machine)})
	if err != nil {
		t.Fatalf("list executions: %v", err)
	}
	var arns []string
	for _, e := range out.Executions {
		arns = append(arns, aws.ToString(e.ExecutionArn))
	}
	return arns
}

func (p *pipeline) wait(t *testing.T, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	for {
		out, err := p.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("describe execution: %v", err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning {
			return out
		}
		select {
		case <-ctx.Done():
			t.Fatalf("execution %s still RUNNING", arn)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// runner returns the local runner with clean as the build.
func (p *pipeline) runner(clean localrun.CleanFunc) *localrun.Runner {
	return localrun.New(p.sqs, p.queueURL, p.sfn, clean, slog.New(slog.NewJSONHandler(&p.log, nil)))
}

func (p *pipeline) runBuilds(t *testing.T, r *localrun.Runner, want int) {
	t.Helper()
	// The state machine may take a while to reach its build step on a
	// busy machine: receive until want requests were handled or a minute
	// passed, never stopping early on an empty receive.
	deadline := time.Now().Add(time.Minute)
	n := 0
	for n < want && time.Now().Before(deadline) {
		got, err := r.RunOnce(t.Context(), 5)
		if err != nil {
			t.Fatalf("local runner: %v", err)
		}
		n += got
	}
	if n != want {
		t.Fatalf("local runner handled %d build requests, want %d", n, want)
	}
}

func (p *pipeline) cleanupEvents(t *testing.T) []fixture.Received {
	t.Helper()
	var out []fixture.Received
	for _, r := range p.tap.Drain(t) {
		if r.Envelope.Source == names.SourceCleaner {
			out = append(out, r)
		}
	}
	return out
}

func TestCleanupRunsTheRealAwsNukeAndEmitsSucceeded(t *testing.T) {
	p := deployPipeline(t)
	sb := setUpSandbox(t, p.cfg)
	p.register(t, sandboxAccount, account.CleanUp)

	exec := p.requestCleanup(t, sandboxAccount)
	var out bytes.Buffer
	cleaner := newCleaner(
		t,
		p.cfg,
		cleanup.Policy{SuccessesNeeded: 1, FailuresAllowed: 2, PassTimeout: 3 * time.Minute},
		&out,
	)
	p.runBuilds(t, p.runner(cleaner.Clean), 1)
	got := p.wait(t, exec)
	if got.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf(
			"execution %s: %s %s; cleaner output:\n%s",
			got.Status,
			aws.ToString(got.Error),
			aws.ToString(got.Cause),
			tail(out.String(), 8000),
		)
	}

	evs := p.cleanupEvents(t)
	if len(evs) != 1 {
		t.Fatalf("got %d cleaner events, want 1: %s", len(evs), fixture.JSON(evs))
	}
	ok, isOK := evs[0].Event.(events.AccountCleanupSucceeded)
	if !isOK || ok.AccountID != sandboxAccount || ok.CleanupExecutionContext.StateMachineExecutionArn != exec ||
		ok.Reason != events.CleanupLeaseTermination {
		t.Errorf("event = %s, want AccountCleanupSucceeded for %s by %s", fixture.JSON(evs[0]), sandboxAccount, exec)
	}
	a, err := p.store.Accounts().Get(t.Context(), sandboxAccount)
	if err != nil {
		t.Fatal(err)
	}
	if a.Cleanup == nil || a.Cleanup.ExecutionARN != exec || a.Cleanup.Outcome != account.CleanupSucceeded ||
		a.Version != 3 {
		t.Errorf(
			"account after cleanup = %s, want the execution recorded with outcome Succeeded at version 3",
			fixture.JSON(a),
		)
	}
	if inv := sb.inventory(t); len(inv.Queues) != 0 || len(inv.Buckets) != 0 {
		t.Errorf("aws-nuke left lessee resources: %+v", inv)
	}
}

func TestThreeFailedCleanupsCountConsecutiveFailures(t *testing.T) {
	p := deployPipeline(t)
	setUpSandbox(t, p.cfg)
	p.register(t, sandboxAccount, account.CleanUp)
	var out bytes.Buffer
	cleaner := newCleaner(
		t,
		p.cfg,
		cleanup.Policy{SuccessesNeeded: 1, FailuresAllowed: 2, PassTimeout: time.Minute},
		&out,
	)
	cleaner.Binary = "/bin/false" // an aws-nuke that fails every pass
	r := p.runner(cleaner.Clean)

	for want := 1; want <= 3; want++ {
		exec := p.requestCleanup(t, sandboxAccount)
		p.runBuilds(t, r, 1)
		got := p.wait(t, exec)
		if got.Status != sfntypes.ExecutionStatusFailed || aws.ToString(got.Error) != cleanup.ErrCleanupFailed {
			t.Fatalf(
				"cleanup %d: execution %s %s (%s), want FAILED %s",
				want,
				got.Status,
				aws.ToString(got.Error),
				aws.ToString(got.Cause),
				cleanup.ErrCleanupFailed,
			)
		}
		evs := p.cleanupEvents(t)
		if len(evs) != 1 {
			t.Fatalf("cleanup %d: got %d cleaner events, want 1: %s", want, len(evs), fixture.JSON(evs))
		}
		failed, ok := evs[0].Event.(events.AccountCleanupFailed)
		if !ok || failed.ConsecutiveFailures != want ||
			failed.CleanupExecutionContext.StateMachineExecutionArn != exec ||
			!strings.Contains(failed.ErrorMessage, "exited with status 1") {
			t.Errorf(
				"cleanup %d: event = %s, want AccountCleanupFailed with consecutiveFailures %d and the aws-nuke error",
				want,
				fixture.JSON(evs[0]),
				want,
			)
		}
		a, err := p.store.Accounts().Get(t.Context(), sandboxAccount)
		if err != nil {
			t.Fatal(err)
		}
		if a.CleanupFailures != want || a.Cleanup == nil || a.Cleanup.Outcome != account.CleanupFailed {
			t.Errorf("cleanup %d: account = %s, want %d failures and outcome Failed", want, fixture.JSON(a), want)
		}
	}
}

func TestCleanupRefusesProtectedAndUnknownAccounts(t *testing.T) {
	p := deployPipeline(t)
	p.register(t, "555555555555", account.Available)
	for _, tt := range []struct {
		name, account, wantError string
	}{
		{"the hub account is refused", hubAccount, cleanup.ErrProtectedAccount},
		{"the management account is refused", mgmtAccount, cleanup.ErrProtectedAccount},
		{"an unregistered account is refused", "666666666666", cleanup.ErrAccountNotRegistered},
		{"an account not in CleanUp is refused", "555555555555", cleanup.ErrAccountNotInCleanUp},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := p.wait(t, p.requestCleanup(t, tt.account))
			if got.Status != sfntypes.ExecutionStatusFailed || aws.ToString(got.Error) != tt.wantError {
				t.Errorf("execution %s %s, want FAILED %s", got.Status, aws.ToString(got.Error), tt.wantError)
			}
			if evs := p.cleanupEvents(t); len(evs) != 0 {
				t.Errorf("got cleaner events %s, want none", fixture.JSON(evs))
			}
		})
	}
	if n, err := p.runner(nil).RunOnce(t.Context(), 0); err != nil || n != 0 {
		t.Errorf("build requests = %d (%v), want none", n, err)
	}
}

func TestASecondRequestWhileACleanupRunsEndsQuietly(t *testing.T) {
	p := deployPipeline(t)
	p.register(t, sandboxAccount, account.CleanUp)
	first := p.requestCleanup(t, sandboxAccount)
	waitForBuildRequest(t, p)
	second := p.wait(t, p.requestCleanup(t, sandboxAccount))
	if second.Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("second execution %s %s, want SUCCEEDED (already running)", second.Status, aws.ToString(second.Error))
	}
	// The first one still owns the account and finishes normally.
	p.runBuilds(t, p.runner(func(context.Context, string) (cleanup.Result, error) {
		return cleanup.Result{Succeeded: true, Passes: 2}, nil
	}), 1)
	if got := p.wait(t, first); got.Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("first execution %s %s, want SUCCEEDED", got.Status, aws.ToString(got.Error))
	}
	evs := p.cleanupEvents(t)
	if len(evs) != 1 || evs[0].Envelope.DetailType != names.AccountCleanupSucceeded {
		t.Errorf("cleaner events = %v, want one AccountCleanupSucceeded", fixture.DetailTypes(evs))
	}
}

// waitForBuildRequest waits until the build queue holds a request
// (the execution reached RunCleanup), without taking it.
func waitForBuildRequest(t *testing.T, p *pipeline) {
	t.Helper()
	for i := 0; i < 100; i++ {
		out, err := p.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(p.queueURL),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Attributes["ApproximateNumberOfMessages"] != "0" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no build request arrived")
}

func (p *pipeline) watchdog(now time.Time) *cleanup.Watchdog {
	return &cleanup.Watchdog{
		Accounts: p.store.Accounts(), Executions: sfnrun.New(p.sfn),
		Outbox: outbox.New(p.store.Outbox(), bus.New(eventbridge.NewFromConfig(p.cfg), fixture.BusName)),
		Now:    func() time.Time { return now }, MaxAge: 13 * time.Hour, Namespace: fixture.Namespace,
		Metrics: &p.log, Log: slog.New(slog.NewJSONHandler(&p.log, nil)),
	}
}

func TestWatchdogReportsAStuckCleanupOnce(t *testing.T) {
	p := deployPipeline(t)
	p.register(t, sandboxAccount, account.CleanUp)
	exec := p.requestCleanup(t, sandboxAccount)
	waitForBuildRequest(t, p) // the build never answers

	if res, err := p.watchdog(time.Now()).Sweep(t.Context()); err != nil || len(res.Reported) != 0 {
		t.Fatalf("sweep while the cleanup is young = %+v, %v; want nothing reported", res, err)
	}
	later := p.watchdog(time.Now().Add(14 * time.Hour))
	res, err := later.Sweep(t.Context())
	if err != nil || res.Checked != 1 || !slices.Equal(res.Reported, []string{sandboxAccount}) {
		t.Fatalf("sweep 14 h later = %+v, %v; want %s reported", res, err, sandboxAccount)
	}
	// The watchdog stopped the execution; on AWS it is now ABORTED, but
	// moto leaves an execution waiting for a task token RUNNING after
	// StopExecution, so that is not checked here.
	evs := p.cleanupEvents(t)
	if len(evs) != 1 {
		t.Fatalf("got %d cleaner events, want 1: %s", len(evs), fixture.JSON(evs))
	}
	failed, ok := evs[0].Event.(events.AccountCleanupFailed)
	if !ok || failed.ConsecutiveFailures != 1 || failed.CleanupExecutionContext.StateMachineExecutionArn != exec ||
		failed.Reason != events.CleanupLeaseTermination {
		t.Errorf("event = %s, want AccountCleanupFailed for the stuck execution", fixture.JSON(evs[0]))
	}
	if !strings.Contains(p.log.String(), `"CleanupFailures":1`) {
		t.Errorf("the watchdog published no %s metric:\n%s", names.MetricCleanupFailures, p.log.String())
	}

	// Again, and through the status-change path: nothing new.
	if res, err := later.Sweep(t.Context()); err != nil || len(res.Reported) != 0 {
		t.Errorf("second sweep = %+v, %v; want nothing reported", res, err)
	}
	input, _ := json.Marshal(
		map[string]any{"detail": map[string]string{"accountId": sandboxAccount, "reason": "LEASE_TERMINATION"}},
	)
	if done, err := later.ExecutionEnded(t.Context(), exec, string(sfntypes.ExecutionStatusAborted), string(
		input)); err != nil ||
		done {
		t.Errorf("status-change event after the sweep = %v, %v; want nothing emitted", done, err)
	}
	if evs := p.cleanupEvents(t); len(evs) != 0 {
		t.Errorf("duplicate events %s", fixture.JSON(evs))
	}
}

func TestWatchdogAsksAgainForALostCleanupRequest(t *testing.T) {
	p := deployPipeline(t)
	// Registered in CleanUp, but its CleanAccountRequest never started a
	// cleanup: no run is recorded on the account.
	p.register(t, "555555555555", account.CleanUp)

	if res, err := p.watchdog(time.Now()).Sweep(t.Context()); err != nil || len(res.Requested) != 0 {
		t.Fatalf("sweep while the request may still be on its way = %+v, %v; want nothing asked", res, err)
	}
	res, err := p.watchdog(time.Now().Add(time.Hour)).Sweep(t.Context())
	if err != nil || !slices.Equal(res.Requested, []string{"555555555555"}) || len(res.Reported) != 0 {
		t.Fatalf("sweep an hour later = %+v, %v; want 555555555555 asked again and nothing reported", res, err)
	}
	var asked []events.CleanAccountRequest
	for _, r := range p.tap.Drain(t) {
		if req, ok := r.Event.(events.CleanAccountRequest); ok {
			asked = append(asked, req)
		}
	}
	if len(asked) != 1 || asked[0].AccountID != "555555555555" || asked[0].Reason != events.CleanupRetryFailed {
		t.Fatalf("cleanup requests on the bus = %s; want one for 555555555555", fixture.JSON(asked))
	}
	// Asking wrote the account, which resets the wait: a sweep now asks
	// nothing (and two watchdogs never both ask).
	if res, err := p.watchdog(time.Now()).Sweep(t.Context()); err != nil || len(res.Requested) != 0 {
		t.Errorf("sweep right after asking = %+v, %v; want nothing asked", res, err)
	}
}

func TestWatchdogReportsAnExecutionThatEndedWithoutReporting(t *testing.T) {
	p := deployPipeline(t)
	ctx := t.Context()
	started := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	gone := "arn:aws:states:us-east-1:" + hubAccount + ":execution:" + names.Physical(
		fixture.Namespace,
		"Cleanup",
	) + ":expired-history"
	for _, id := range []string{sandboxAccount, "555555555555"} {
		if _, err := p.store.Accounts().Create(ctx, account.Account{ID: id, Status: account.CleanUp,
			Cleanup: &account.CleanupExecution{ExecutionARN: gone + "-" + id, StartedAt: started}}); err != nil {
			t.Fatal(err)
		}
	}
	w := p.watchdog(time.Now())

	t.Run("a status change for an execution the account does not name is ignored", func(t *testing.T) {
		input := `{"detail":{"accountId":"` + sandboxAccount + `","reason":"LEASE_RESET"}}`
		done, err := w.ExecutionEnded(ctx, gone+"-other", string(sfntypes.ExecutionStatusFailed), input)
		if err != nil || done {
			t.Errorf("ExecutionEnded = %v, %v; want nothing emitted", done, err)
		}
	})
	t.Run("a FAILED status change for the recorded execution is reported with its reason", func(t *testing.T) {
		input := `{"detail":{"accountId":"` + sandboxAccount + `","reason":"LEASE_RESET"}}`
		done, err := w.ExecutionEnded(ctx, gone+"-"+sandboxAccount, string(sfntypes.ExecutionStatusTimedOut), input)
		if err != nil || !done {
			t.Fatalf("ExecutionEnded = %v, %v; want AccountCleanupFailed emitted", done, err)
		}
		evs := p.cleanupEvents(t)
		if len(evs) != 1 {
			t.Fatalf("got %d events, want 1", len(evs))
		}
		failed, _ := evs[0].Event.(events.AccountCleanupFailed)
		if failed.Reason != events.CleanupLeaseReset || !strings.Contains(failed.ErrorMessage, "TIMED_OUT") ||
			!failed.CleanupExecutionContext.StateMachineExecutionStartTime.Equal(started) {
			t.Errorf("event = %s", fixture.JSON(evs[0]))
		}
	})
	t.Run("the sweep reports a recorded execution that no longer exists, once", func(t *testing.T) {
		res, err := w.Sweep(ctx)
		if err != nil || !slices.Equal(res.Reported, []string{"555555555555"}) {
			t.Fatalf("sweep = %+v, %v; want only 555555555555 reported (the other was reported above)", res, err)
		}
		evs := p.cleanupEvents(t)
		if len(evs) != 1 ||
			!strings.Contains(evs[0].Event.(events.AccountCleanupFailed).ErrorMessage, "no longer exists") {
			t.Errorf("events = %s", fixture.JSON(evs))
		}
		if res, err := w.Sweep(ctx); err != nil || len(res.Reported) != 0 {
			t.Errorf("second sweep = %+v, %v; want nothing", res, err)
		}
	})
}

// succeed is a build that cleans the account.
func succeed(context.Context, string) (cleanup.Result, error) {
	return cleanup.Result{Succeeded: true, Passes: 1}, nil
}

func TestARunReportsItsOutcomeAndEventInOneCommit(t *testing.T) {
	t.Run("a success after the watchdog reported the run emits nothing and keeps the failure", func(t *testing.T) {
		p := deployPipeline(t)
		p.register(t, sandboxAccount, account.CleanUp)
		exec := p.requestCleanup(t, sandboxAccount)
		waitForBuildRequest(t, p)
		// The watchdog saw the run as failed (say, a status change that
		// raced the build's answer) and reported it.
		input, _ := json.Marshal(
			map[string]any{"detail": map[string]string{"accountId": sandboxAccount, "reason": "LEASE_TERMINATION"}},
		)
		if done, err := p.watchdog(time.Now()).ExecutionEnded(t.Context(), exec, string(sfntypes.ExecutionStatusFailed),
			string(input)); err != nil ||
			!done {
			t.Fatalf("watchdog report = %v, %v", done, err)
		}
		p.cleanupEvents(t)
		p.runBuilds(t, p.runner(succeed), 1)
		if got := p.wait(t, exec); got.Status != sfntypes.ExecutionStatusSucceeded {
			t.Errorf("execution %s %s, want SUCCEEDED (already reported)", got.Status, aws.ToString(got.Error))
		}
		if evs := p.cleanupEvents(t); len(evs) != 0 {
			t.Errorf("the run emitted %v after the watchdog reported it", fixture.DetailTypes(evs))
		}
		if a := fixture.Account(t, p.store, sandboxAccount); a.Cleanup == nil ||
			a.Cleanup.Outcome != account.CleanupFailed ||
			a.CleanupFailures != 1 {
			t.Errorf("account = %s, want the watchdog's failure kept", fixture.JSON(a))
		}
		if recs, err := p.store.Outbox().Pending(t.Context(), time.Now().Add(time.Hour), 10); err != nil ||
			len(recs) != 0 {
			t.Errorf("outbox = %v, %v; want empty", recs, err)
		}
	})
	t.Run("an event the bus refused stays in the outbox and the relay delivers it", func(t *testing.T) {
		p := deployPipelineWith(t, func(in *cleanup.DefinitionInput) { in.EventBus = "no-such-bus" })
		p.register(t, sandboxAccount, account.CleanUp)
		exec := p.requestCleanup(t, sandboxAccount)
		p.runBuilds(t, p.runner(succeed), 1)
		if got := p.wait(t, exec); got.Status != sfntypes.ExecutionStatusSucceeded {
			t.Fatalf(
				"execution %s %s (%s), want SUCCEEDED",
				got.Status,
				aws.ToString(got.Error),
				aws.ToString(got.Cause),
			)
		}
		if evs := p.cleanupEvents(t); len(evs) != 0 {
			t.Fatalf("events = %v, want none yet", fixture.DetailTypes(evs))
		}
		if a := fixture.Account(t, p.store, sandboxAccount); a.Cleanup == nil ||
			a.Cleanup.Outcome != account.CleanupSucceeded {
			t.Fatalf("account = %s, want outcome Succeeded", fixture.JSON(a))
		}
		relay := outbox.New(p.store.Outbox(), bus.New(eventbridge.NewFromConfig(p.cfg), fixture.BusName))
		if res, err := relay.Sweep(t.Context(), time.Now().Add(time.Hour), 0, 10); err != nil {
			t.Fatalf("relay sweep = %+v, %v", res, err)
		}
		evs := p.cleanupEvents(t)
		if len(evs) != 1 {
			t.Fatalf("the relay delivered %d cleaner events, want 1: %s", len(evs), fixture.JSON(evs))
		}
		if ok, isOK := evs[0].Event.(events.AccountCleanupSucceeded); !isOK || ok.AccountID != sandboxAccount ||
			ok.CleanupExecutionContext.StateMachineExecutionArn != exec {
			t.Errorf("event = %s, want AccountCleanupSucceeded of %s", fixture.JSON(evs[0]), exec)
		}
	})
	t.Run("a run that cannot record its outcome emits nothing, fails, and the watchdog reports it", func(t *testing.T) {
		p := deployPipelineWith(t, func(in *cleanup.DefinitionInput) { in.OutboxTable = "no-such-table" })
		p.register(t, sandboxAccount, account.CleanUp)
		exec := p.requestCleanup(t, sandboxAccount)
		p.runBuilds(t, p.runner(succeed), 1)
		got := p.wait(t, exec)
		if got.Status != sfntypes.ExecutionStatusFailed || aws.ToString(got.Error) != cleanup.ErrOutcomeNotRecorded {
			t.Fatalf(
				"execution %s %s, want FAILED %s",
				got.Status,
				aws.ToString(got.Error),
				cleanup.ErrOutcomeNotRecorded,
			)
		}
		if evs := p.cleanupEvents(t); len(evs) != 0 {
			t.Fatalf("events = %v, want none: nothing was recorded", fixture.DetailTypes(evs))
		}
		if a := fixture.Account(t, p.store, sandboxAccount); a.Cleanup == nil || a.Cleanup.Outcome != "" {
			t.Fatalf("account = %s, want the run recorded without an outcome", fixture.JSON(a))
		}
		res, err := p.watchdog(time.Now()).Sweep(t.Context())
		if err != nil || !slices.Equal(res.Reported, []string{sandboxAccount}) {
			t.Fatalf("sweep = %+v, %v; want %s reported", res, err, sandboxAccount)
		}
		evs := p.cleanupEvents(t)
		if len(evs) != 1 {
			t.Fatalf("got %d events, want 1: %s", len(evs), fixture.JSON(evs))
		}
		if failed, ok := evs[0].Event.(events.AccountCleanupFailed); !ok || failed.ConsecutiveFailures != 1 ||
			failed.CleanupExecutionContext.StateMachineExecutionArn != exec {
			t.Errorf("event = %s, want AccountCleanupFailed of %s", fixture.JSON(evs[0]), exec)
		}
	})
}
