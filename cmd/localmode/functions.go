package localmode

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsappconfig "github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/appconfig/hosted"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/boot"
)

// function is one built handler.
type function struct {
	name    string
	handler lambda.Handler
}

// environment is every function's environment as the stacks set it, for
// local mode's resources.
func (p *Platform) environment(confPort string) map[string]string {
	ns := p.ns
	env := map[string]string{
		names.EnvNamespace:             ns,
		names.EnvLeaseTable:            names.Physical(ns, names.LeaseTable),
		names.EnvAccountTable:          names.Physical(ns, names.AccountTable),
		names.EnvLeaseTemplateTable:    names.Physical(ns, names.LeaseTemplateTable),
		names.EnvOutboxTable:           names.Physical(ns, names.OutboxTable),
		names.EnvDeliveryTable:         names.Physical(ns, names.DeliveryTable),
		names.EnvSessionTable:          names.Physical(ns, names.SessionTable),
		names.EnvReportBucket:          reportBucket(ns),
		names.EnvEventBus:              names.Physical(ns, names.EventBus),
		names.EnvSessionKeys:           names.Physical(ns, names.SessionKeys),
		names.EnvIdpMetadataSecret:     names.Physical(ns, names.IdpMetadataSecret),
		names.EnvIdcConfigParam:        paramName(ns, names.IdcConfigParam),
		names.EnvPageTokenSecret:       names.Physical(ns, names.PageTokenSecret),
		names.EnvAccountPoolParam:      paramName(ns, names.AccountPoolConfigParam),
		names.EnvHubAccountID:          HubAccount,
		names.EnvIdcAccountID:          IdcAccount,
		names.EnvManagementAccountID:   ManagementAccount,
		names.EnvEndpoint:              p.emu.URL(),
		names.EnvStsEndpoint:           p.emu.URL(),
		names.EnvCleanupProject:        names.Physical(ns, names.CleanupProject),
		names.EnvStateMachineArn:       p.world.machineArn,
		names.EnvWatchdogMaxAgeMinutes: "120",
		names.EnvCleanupBuildQueueURL:  p.world.queues[names.CleanupBuildQueue].url,
		// A cleanup refused by the build quota is retried within seconds.
		names.EnvCleanupQuotaBackoffSeconds: "1",
		appconfig.ExtensionPortEnv:          confPort,
	}
	if g := p.opts.DriftGrace; g > 0 {
		env[names.EnvDriftGraceSeconds] = strconv.Itoa(max(1, int(g.Seconds())))
	}
	return env
}

// buildFunctions builds every function's production handler with its
// environment, as boot.Main does in Lambda; a function whose environment
// lacks a key it needs fails the start, naming it.
func (p *Platform) buildFunctions(ctx context.Context, confURL string) error {
	port := confURL[strings.LastIndex(confURL, ":")+1:]
	env := p.environment(port)
	p.fns = map[string]*function{}
	ctx = boot.WithClock(ctx, p.clock.Now)
	for _, f := range p.opts.Functions {
		fenv, missing := f.Env(func(k string) string { return env[k] })
		if len(missing) > 0 {
			return fmt.Errorf("function %s needs %v, which local mode does not set", f.Name, missing)
		}
		cfg := p.cfg
		if f.Name == names.LambdaCleanupWorker {
			// The worker's CodeBuild is local mode's; its other calls go
			// through to the emulator.
			cfg = p.cfg.Copy()
			cfg.BaseEndpoint = aws.String(p.cbURL)
		}
		h, err := f.Build(ctx, fenv, cfg)
		if err != nil {
			return fmt.Errorf("build %s: %w", f.Name, err)
		}
		p.fns[f.Name] = &function{name: f.Name, handler: lambda.NewHandler(h)}
	}
	return nil
}

// invoke runs function name with payload as the Lambda runtime would (JSON
// in, JSON out, a panic is the invocation's error) and logs one line.
func (p *Platform) invoke(ctx context.Context, name string, payload any) (out []byte, err error) {
	f, ok := p.fns[name]
	if !ok {
		return nil, fmt.Errorf("function %s is not running in local mode", name)
	}
	in, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode the event for %s: %w", name, err)
	}
	id := uuid.NewString()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: id,
		InvokedFunctionArn: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", Region, HubAccount,
			names.Physical(p.ns, name))})
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s panicked: %v", name, r)
		}
		log := p.log.With("function", name, "request_id", id, "ms", time.Since(start).Milliseconds())
		if err != nil {
			log.WarnContext(ctx, "invocation failed", "error", err.Error())
		} else {
			log.DebugContext(ctx, "invoked")
		}
	}()
	return f.handler.Invoke(ctx, in)
}

// serveConfiguration serves the AppConfig Lambda extension's HTTP
// endpoint from the hosted configuration versions in the emulator, so the
// handlers read their configuration as on AWS; it returns its URL.
func (p *Platform) serveConfiguration() (string, error) {
	ln, err := listen(0)
	if err != nil {
		return "", fmt.Errorf("configuration endpoint: %w", err)
	}
	src := hosted.New(awsappconfig.NewFromConfig(p.cfg), p.world.data.AppConfigApplicationID, p.world.profileIDs)
	prefix := fmt.Sprintf("/applications/%s/environments/%s/configurations/", names.Physical(p.ns,
		names.AppConfigApplication), names.AppConfigEnvironment)
	p.conf = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		profile, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		doc, err := src.Fetch(r.Context(), profile)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-yaml")
		_, _ = w.Write(doc)
	})}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); _ = p.conf.Serve(ln) }()
	return "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}
