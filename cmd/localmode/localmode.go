// Package localmode runs the whole platform on one machine: the project's
// moto launcher on loopback, the stacks' resources bootstrapped on it (named
// as the stacks name them), and every function's production handler
// (functions/<dir>/wiring) in this process behind the same triggers the
// stacks wire: the REST API through the request authorizer as API Gateway
// calls it, queue pollers in place of the event-source mappings, tickers in
// place of the schedules, and the cleanup state machine on the emulator's
// Step Functions with its CodeBuild step run by the local runner.
package localmode

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/cmd/emulator"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/cleanup/localrun"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/boot"
)

// The accounts of the simulated organization. The emulator's default
// account creates the organization, so it is the management account; the
// hub's resources live there too (as in the emulator tests), while the hub
// and IDC ids name the role chain's hops, as on AWS.
const (
	ManagementAccount = "123456789012"
	HubAccount        = "111111111111"
	IdcAccount        = "333333333333"
	Region            = emulator.Region
	// Namespace is local mode's namespace: resources are isb-local-*.
	Namespace = "local"
	// Sender is the verified SES sender of the platform's mail.
	Sender = "isb@example.com"
)

// Person is a seeded Identity Center user.
type Person struct {
	Email string
	Name  string
	Role  routes.Role
}

// People are the seeded users, one per role.
var People = []Person{
	{Email: "admin@example.com", Name: "Admin", Role: routes.Admin},
	{Email: "manager@example.com", Name: "Manager", Role: routes.Manager},
	{Email: "user@example.com", Name: "User", Role: routes.User},
}

// Options configure a local platform.
type Options struct {
	// Accounts is how many sandbox accounts to register (5 when 0).
	Accounts int
	// Port is the REST API's port on 127.0.0.1 (8080 when 0; -1 picks a
	// free one).
	Port int
	// AWSPort is the emulator's port (0 picks a free one).
	AWSPort int
	// RuntimeDir receives the runtime file the CLI reads (isb local token,
	// spend, mail) while the platform runs.
	RuntimeDir string
	// KeepDir keeps the platform's state between runs: a start finds the
	// state there (skipping the bootstrap and the accounts' registration)
	// and Stop saves it there. Empty: every start is fresh and nothing is
	// kept.
	KeepDir string
	// Intervals of the scheduled jobs; a zero interval runs the job only
	// through RunNow.
	Intervals Intervals
	// Functions are the functions to run, functions/all.Functions in
	// practice.
	Functions []boot.Function
	// NukeBinary is the pinned aws-nuke the local runner runs.
	NukeBinary string
	// NukeConfig is the aws-nuke configuration template
	// (nuke-config/nuke-config.yaml).
	NukeConfig []byte
	// Builds is local CodeBuild's concurrent-build quota: how many cleanups
	// run at once (5 when 0, -1 for no limit). A start beyond it is refused
	// with AccountLimitExceededException, as CodeBuild refuses it, and the
	// cleanup worker puts the request back to wait.
	Builds int
	// RetryDelay is how long a message a consumer failed stays invisible
	// before it is tried again (2 s when 0). On AWS the queue's visibility
	// timeout (six times the function's timeout) decides; local mode
	// shortens it so failures are retried while one watches.
	RetryDelay time.Duration
	// ReadyTimeout bounds the start, the first cleanups included (10
	// minutes when 0).
	ReadyTimeout time.Duration
	// DriftGrace is how long after a status change the drift monitor
	// leaves an account alone; zero keeps the deployed default (15 min).
	DriftGrace time.Duration
	// Global changes the global configuration local mode starts with.
	Global func(*config.Global)
	// Log receives the platform's and the handlers' logs (JSON); discarded
	// when nil.
	Log io.Writer
}

// Intervals are the periods of the scheduled jobs.
type Intervals struct {
	LeaseMonitor, DriftMonitor, CostReport, OutboxSweep, CleanupWatchdog, Reaper time.Duration
}

// Platform is a running local platform.
type Platform struct {
	opts   Options
	ns     string
	emu    *emulator.Server
	cfg    aws.Config
	world  *world
	log    *slog.Logger
	fns    map[string]*function
	api    *http.Server
	apiURL string
	conf   *http.Server

	codebuild *localrun.CodeBuild
	cbServer  *http.Server
	cbURL     string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	accounts []string
	clock    Clock
	failing  atomic.Int64 // cleanups still to fail (FailNextCleanups)
	restored bool         // started from a kept state
	ready    bool         // Start finished; only then is the state worth keeping
	stopOnce sync.Once
	stopErr  error
}

// Start brings the platform up and returns once every account is
// Available (or ctx ends, or ReadyTimeout passes). Stop ends it.
func Start(ctx context.Context, opts Options) (p *Platform, err error) {
	if opts.Accounts == 0 {
		opts.Accounts = 5
	}
	if opts.Port == 0 {
		opts.Port = 8080
	}
	if opts.Builds == 0 {
		opts.Builds = 5
	}
	if opts.RetryDelay == 0 {
		opts.RetryDelay = 2 * time.Second
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 10 * time.Minute
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if len(opts.NukeConfig) == 0 {
		return nil, errors.New("localmode: no aws-nuke configuration template (Options.NukeConfig)")
	}
	if _, err := os.Stat(opts.NukeBinary); err != nil {
		return nil, fmt.Errorf("localmode: aws-nuke binary (make aws-nuke builds build/aws-nuke/aws-nuke): %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()

	p = &Platform{opts: opts, ns: Namespace, log: slog.New(slog.NewJSONHandler(opts.Log, nil)).With("component",
		"localmode")}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			_ = p.Stop()
			p = nil
		}
	}()
	if p.restored, err = p.startEmulator(ctx); err != nil {
		return p, err
	}
	if p.cfg, err = awscfg.Load(ctx, awscfg.Options{Region: Region, Endpoint: p.emu.URL(), StaticKey: "local",
		StaticSecret: "local"}); err != nil {
		return p, err
	}
	if !p.restored {
		if p.world, err = p.bootstrap(ctx); err != nil {
			return p, err
		}
	}
	confURL, err := p.serveConfiguration()
	if err != nil {
		return p, err
	}
	if err := p.startCodeBuild(); err != nil {
		return p, err
	}
	if err := p.buildFunctions(ctx, confURL); err != nil {
		return p, err
	}
	if err := p.serveAPI(); err != nil {
		return p, err
	}
	p.startConsumers()
	p.startTickers()
	if p.restored {
		err = p.resume(ctx)
	} else if err = p.registerAccounts(ctx); err == nil {
		// Kept from the first ready moment on, so that a crash later
		// still leaves a state to start from.
		err = p.saveState()
	}
	if err != nil {
		return p, err
	}
	if err := p.writeRuntime(); err != nil {
		return p, err
	}
	p.ready = true
	return p, nil
}

// Restored says whether the platform started from a kept state.
func (p *Platform) Restored() bool { return p.restored }

// Stop ends the tickers, pollers and servers, saves the state when it is
// kept (Options.KeepDir) and the platform had started, and ends the
// emulator process. It returns the saving's error; calling it again
// returns the same.
func (p *Platform) Stop() error {
	if p == nil {
		return nil
	}
	p.stopOnce.Do(func() {
		if p.cancel != nil {
			p.cancel()
		}
		for _, s := range []*http.Server{p.api, p.conf, p.cbServer} {
			if s != nil {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_ = s.Shutdown(ctx)
				cancel()
			}
		}
		p.wg.Wait()
		if p.codebuild != nil {
			p.codebuild.Wait()
		}
		if p.ready {
			p.stopErr = p.saveState()
		}
		if p.emu != nil {
			p.emu.Stop()
		}
		p.removeRuntime()
	})
	return p.stopErr
}

// APIURL is the REST API's base URL, e.g. http://127.0.0.1:8080.
func (p *Platform) APIURL() string { return p.apiURL }

// EmulatorURL is the emulator's endpoint (aws --endpoint-url).
func (p *Platform) EmulatorURL() string { return p.emu.URL() }

// Accounts lists the sandbox accounts registered at start.
func (p *Platform) Accounts() []string { return append([]string(nil), p.accounts...) }

// Emulator is the running emulator.
func (p *Platform) Emulator() *emulator.Server { return p.emu }

// AWS is the hub's AWS configuration on the emulator.
func (p *Platform) AWS() aws.Config { return p.cfg }

func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// listen opens a loopback listener on port (0: any free port).
func listen(port int) (net.Listener, error) {
	if port < 0 {
		port = 0
	}
	return net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
}
