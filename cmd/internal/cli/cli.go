// Package cli is the isb command line (cobra).
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/isb-go/isb/cmd/emulator"
	"github.com/isb-go/isb/cmd/localmode"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/functions/all"
)

// Environment of isb local up.
const (
	EnvPort     = "ISB_LOCAL_PORT"
	EnvAWSPort  = "ISB_LOCAL_AWS_PORT"
	EnvAccounts = "ISB_LOCAL_ACCOUNTS"
	EnvState    = "ISB_LOCAL_STATE"
	EnvRuntime  = "ISB_LOCAL_RUNTIME"
	EnvNukeBin  = "ISB_AWS_NUKE"
	EnvNukeConf = "ISB_LOCAL_NUKE_CONFIG"
	EnvDrift    = "ISB_LOCAL_DRIFT_GRACE"
	EnvQuota    = "ISB_LOCAL_CODEBUILD_QUOTA"
)

// intervalEnv maps each scheduled job to its interval variable and the
// interval the stacks schedule it at.
var intervalEnv = []struct {
	env   string
	def   time.Duration
	field func(*localmode.Intervals) *time.Duration
}{
	{"ISB_LOCAL_LEASE_MONITOR_INTERVAL", time.Hour, func(i *localmode.Intervals) *time.Duration { return &i.LeaseMonitor }},
	{"ISB_LOCAL_DRIFT_MONITOR_INTERVAL", 6 * time.Hour, func(i *localmode.Intervals) *time.Duration { return &i.DriftMonitor }},
	{"ISB_LOCAL_COST_REPORT_INTERVAL", 30 * 24 * time.Hour, func(i *localmode.Intervals) *time.Duration { return &i.CostReport }},
	{"ISB_LOCAL_OUTBOX_SWEEP_INTERVAL", time.Minute, func(i *localmode.Intervals) *time.Duration { return &i.OutboxSweep }},
	{"ISB_LOCAL_CLEANUP_WATCHDOG_INTERVAL", 30 * time.Minute, func(i *localmode.Intervals) *time.Duration { return &i.CleanupWatchdog }},
	{"ISB_LOCAL_REAPER_INTERVAL", time.Minute, func(i *localmode.Intervals) *time.Duration { return &i.Reaper }},
}

// Root is the isb command.
func Root() *cobra.Command {
	root := &cobra.Command{Use: "isb", Short: "Innovation Sandbox on AWS (Go) command line", SilenceUsage: true, SilenceErrors: true}
	local := &cobra.Command{Use: "local", Short: "Run and use the whole platform on this machine (local mode)"}
	local.AddCommand(upCmd(), tokenCmd(), spendCmd(), mailCmd())
	root.AddCommand(local)
	return root
}

// runtimeDir is where isb local up writes its runtime file for the other
// isb local commands.
func runtimeDir() string {
	if d := os.Getenv(EnvRuntime); d != "" {
		return d
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "isb-local")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("isb-local-%d", os.Getuid()))
}

func envInt(key string, def int) (int, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a whole number", key, v)
	}
	return n, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// Options reads isb local up's settings from the environment.
func Options(log io.Writer) (localmode.Options, error) {
	o := localmode.Options{Functions: all.Functions, RuntimeDir: runtimeDir(), KeepDir: os.Getenv(EnvState), Log: log,
		NukeBinary: envOr(EnvNukeBin, filepath.Join("build", "aws-nuke", "aws-nuke"))}
	var err error
	if o.Port, err = envInt(EnvPort, 8080); err != nil {
		return o, err
	}
	if o.AWSPort, err = envInt(EnvAWSPort, 0); err != nil {
		return o, err
	}
	if o.Accounts, err = envInt(EnvAccounts, 5); err != nil {
		return o, err
	}
	if o.Accounts < 1 || o.Accounts > 50 {
		return o, fmt.Errorf("%s=%d: between 1 and 50 accounts", EnvAccounts, o.Accounts)
	}
	for _, iv := range intervalEnv {
		d := iv.def
		if v := os.Getenv(iv.env); v != "" {
			if d, err = time.ParseDuration(v); err != nil || d < 0 {
				return o, fmt.Errorf("%s=%q is not a duration such as 1m or 30s (0 turns the job's ticker off)", iv.env, v)
			}
		}
		*iv.field(&o.Intervals) = d
	}
	if v := os.Getenv(EnvDrift); v != "" {
		if o.DriftGrace, err = time.ParseDuration(v); err != nil || o.DriftGrace < time.Second {
			return o, fmt.Errorf("%s=%q is not a duration of at least 1s", EnvDrift, v)
		}
	}
	// CodeBuild's concurrent-build quota, simulated: 0 is no limit.
	if o.Builds, err = envInt(EnvQuota, 5); err != nil {
		return o, err
	}
	if o.Builds < 0 {
		return o, fmt.Errorf("%s=%d: a number of builds, 0 for no limit", EnvQuota, o.Builds)
	}
	if o.Builds == 0 {
		o.Builds = -1
	}
	conf := envOr(EnvNukeConf, filepath.Join("nuke-config", "nuke-config.yaml"))
	if o.NukeConfig, err = os.ReadFile(conf); err != nil {
		return o, fmt.Errorf("aws-nuke configuration (%s): %w", EnvNukeConf, err)
	}
	return o, nil
}

func upCmd() *cobra.Command {
	var keep string
	c := &cobra.Command{
		Use:   "up",
		Short: "Start the whole platform on the local emulator; Ctrl-C stops it",
		Long: "Starts the moto emulator on loopback, creates what the stacks deploy, registers the sandbox accounts\n" +
			"through the API, lets the real cleaner (aws-nuke) clean them, and serves the REST API.\n\n" +
			"With --state DIR (or " + EnvState + "=DIR) the state is kept in DIR: saved when Ctrl-C stops the\n" +
			"platform and restored by the next start with the same DIR (rm -rf DIR starts fresh).\n\n" +
			"Environment: " + EnvPort + " (8080), " + EnvAccounts + " (5), " + EnvState + " (kept state), " +
			EnvRuntime + " (runtime file for token/spend/mail), " +
			EnvAWSPort + " (emulator port, free when unset), " +
			EnvQuota + " (CodeBuild's concurrent builds, 5; 0 no limit), " +
			EnvNukeBin + ", and the job intervals " + intervalNames() + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			logs := cmd.ErrOrStderr()
			slog.SetDefault(slog.New(slog.NewJSONHandler(logs, nil)))
			o, err := Options(logs)
			if err != nil {
				return err
			}
			if keep != "" {
				o.KeepDir = keep
			}
			start := time.Now()
			fmt.Fprintf(out, "starting local mode: %d accounts, cleaned by aws-nuke (logs on stderr)\n", o.Accounts)
			if o.KeepDir != "" {
				fmt.Fprintf(out, "state kept in %s\n", o.KeepDir)
			}
			p, err := localmode.Start(cmd.Context(), o)
			if err != nil {
				return err
			}
			how := "started"
			if p.Restored() {
				how = "restored from " + o.KeepDir
			}
			fmt.Fprintf(out, "ready: %s\naws endpoint: %s\n(%s in %s)\n\n%s", p.APIURL(), p.EmulatorURL(), how,
				time.Since(start).Round(100*time.Millisecond), guide(p))
			<-cmd.Context().Done()
			fmt.Fprintln(out, "stopping")
			if err := p.Stop(); err != nil {
				return err
			}
			if o.KeepDir != "" {
				fmt.Fprintf(out, "state saved in %s\n", o.KeepDir)
			}
			return nil
		},
	}
	c.Flags().StringVar(&keep, "state", "", "keep the state in this directory between runs (default $"+EnvState+")")
	return c
}

func intervalNames() string {
	var ns []string
	for _, iv := range intervalEnv {
		ns = append(ns, iv.env+" ("+iv.def.String()+")")
	}
	return strings.Join(ns, ", ")
}

func guide(p *localmode.Platform) string {
	acc := p.Accounts()
	first := "ACCOUNT"
	if len(acc) > 0 {
		first = acc[0]
	}
	return fmt.Sprintf(`Try it (in another shell):
  TOKEN=$(bin/isb local token --email manager@example.com)
  curl -s -H "Authorization: Bearer $TOKEN" %[1]s/leaseTemplates
  curl -s -H "Authorization: Bearer $TOKEN" %[1]s/accounts   # admin@example.com only
  bin/isb local spend %[2]s 12.50     # simulated cost for an account
  bin/isb local mail                       # mail the platform sent
  aws --endpoint-url %[3]s organizations list-accounts
Seeded people: admin@example.com (Admin), manager@example.com (Manager), user@example.com (User).
Sandbox accounts: %[4]s
Ctrl-C stops everything.
`, p.APIURL(), first, p.EmulatorURL(), strings.Join(acc, " "))
}

func running(ctx context.Context) (localmode.Runtime, *emulator.Server, error) {
	st, err := localmode.ReadRuntime(runtimeDir())
	if err != nil {
		return st, nil, err
	}
	emu, err := emulator.Attach(ctx, st.AWS)
	if err != nil {
		return st, nil, fmt.Errorf("the local platform in %s is not answering (stale runtime file?): %w", runtimeDir(), err)
	}
	return st, emu, nil
}

func tokenCmd() *cobra.Command {
	var email string
	var ttl time.Duration
	c := &cobra.Command{
		Use:   "token --email <seeded email>",
		Short: "Print a bearer token for a seeded person of the running local platform",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := running(cmd.Context())
			if err != nil {
				return err
			}
			cfg, err := awscfg.Load(cmd.Context(), awscfg.Options{Region: localmode.Region, Endpoint: st.AWS,
				StaticKey: "local", StaticSecret: "local"})
			if err != nil {
				return err
			}
			tok, err := localmode.IssueToken(cmd.Context(), cfg, st.SigningKey, email, ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		},
	}
	c.Flags().StringVar(&email, "email", "", "a seeded person: admin@example.com, manager@example.com or user@example.com")
	c.Flags().DurationVar(&ttl, "ttl", time.Hour, "how long the token is valid")
	_ = c.MarkFlagRequired("email")
	return c
}

func spendCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "spend ACCOUNT USD",
		Short: "Add simulated cost to a sandbox account (read by the next lease-monitoring run)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			usd, err := strconv.ParseFloat(args[1], 64)
			if err != nil || usd < 0 {
				return fmt.Errorf("USD %q: a non-negative amount such as 12.50", args[1])
			}
			_, emu, err := running(cmd.Context())
			if err != nil {
				return err
			}
			total, err := localmode.AddSpend(cmd.Context(), emu, args[0], usd)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "account %s: %.2f USD in total (lease monitoring picks it up on its next run)\n", args[0], total)
			return nil
		},
	}
}

func mailCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "mail",
		Short: "Print the email the running local platform sent",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, emu, err := running(cmd.Context())
			if err != nil {
				return err
			}
			sent, err := localmode.SentEmails(cmd.Context(), emu)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, m := range sent {
				var to []string
				for _, list := range m.Destinations {
					to = append(to, list...)
				}
				to = append(to, m.RawDestinations...)
				fmt.Fprintf(out, "From: %s\nTo: %s\nSubject: %s\n\n%s\n\n", m.Source, strings.Join(to, ", "), m.Subject, m.Body)
			}
			fmt.Fprintf(out, "%d message(s)\n", len(sent))
			return nil
		},
	}
}
