// Package nuke runs one cleanup of one sandbox account: it reaches the
// account through the role chain (hub sandbox hop role, then the
// account's cleanup role), asks it which regions are enabled, renders the
// aws-nuke configuration, and runs the aws-nuke binary in passes under the
// cleanup policy. The isb-cleaner program (CodeBuild) and the local runner
// use it; it is apart from package cleanup so that the Lambdas do not link
// the EC2 and STS clients.
package nuke

import (
	"context"
	"errors"
	"fmt"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/awscfg/rolechain"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/names"
)

// Cleaner cleans sandbox accounts with aws-nuke.
type Cleaner struct {
	// Base is the hub configuration (the CodeBuild role's credentials).
	Base aws.Config
	// Namespace names the roles of the chain.
	Namespace string
	// Partition is the ARN partition of the roles; "aws" when empty.
	Partition string
	// Accounts are the platform's accounts (Cleanup is ignored).
	Accounts cleanup.Accounts
	// Template is the nuke configuration template.
	Template []byte
	// Policy decides when the passes end.
	Policy cleanup.Policy
	// Binary is the aws-nuke executable.
	Binary string
	// Endpoint sends aws-nuke to the local emulator (names.EnvEndpoint).
	Endpoint string
	// WorkDir receives the rendered configuration.
	WorkDir string
	// Output receives aws-nuke's own log lines (JSON).
	Output io.Writer
	Log    *slog.Logger
	Clock  cleanup.Clock
}

// RoleARNs returns the chain the cleaner assumes to reach account: the
// hub's sandbox hop, then the account's cleanup role.
func (c *Cleaner) RoleARNs(account string) (hop, sandbox string) {
	chain := awscfg.HopChain(c.Partition, c.Accounts.Hub, c.Namespace, account, names.SandboxAccountRole)
	return chain[0], chain[1]
}

// Credentials returns the sandbox account's credentials through the
// role chain; they refresh themselves (role chaining caps a session at
// one hour, and a cleanup can take longer).
func (c *Cleaner) Credentials(account string) aws.CredentialsProvider {
	hop, sandbox := c.RoleARNs(account)
	return rolechain.Chain(c.Base, "IsbCleaner", hop, sandbox).Credentials
}

// EnabledRegions asks the account which regions are enabled in it.
func EnabledRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
	out, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, fmt.Errorf("describe regions: %w", err)
	}
	var rs []string
	for _, r := range out.Regions {
		if s := aws.ToString(r.OptInStatus); s == "not-opted-in" {
			continue
		}
		rs = append(rs, aws.ToString(r.RegionName))
	}
	slices.Sort(rs)
	return rs, nil
}

// Clean runs the passes against account and says how they ended. An
// error means the cleanup could not run at all (no role, no template, …),
// which counts as a failed cleanup too.
func (c *Cleaner) Clean(ctx context.Context, account string) (cleanup.Result, error) {
	log := c.Log.With("account_id", account)
	sandbox := c.Base.Copy()
	sandbox.Credentials = c.Credentials(account)
	id, err := sts.NewFromConfig(sandbox).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return cleanup.Result{}, fmt.Errorf("reach account %s through the role chain: %w", account, err)
	}
	if got := aws.ToString(id.Account); got != account {
		return cleanup.Result{}, fmt.Errorf("the role chain reached account %s, not %s", got, account)
	}
	regions, err := EnabledRegions(ctx, sandbox)
	if err != nil {
		return cleanup.Result{}, fmt.Errorf("account %s: %w", account, err)
	}
	accounts := c.Accounts
	accounts.Cleanup = account
	rendered, err := cleanup.Render(c.Template, cleanup.RenderInput{
		Accounts: accounts, CleanupRoleName: names.Physical(c.Namespace, names.SandboxAccountRole),
		LesseeRoleName: names.RoleName(c.Namespace, names.LesseeRole),
		Regions:        regions, Endpoint: c.Endpoint, HomeRegion: c.Base.Region,
	})
	if err != nil {
		return cleanup.Result{}, err
	}
	doc, err := rendered.YAML()
	if err != nil {
		return cleanup.Result{}, err
	}
	path := filepath.Join(c.WorkDir, "nuke-config-"+account+".yaml")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		return cleanup.Result{}, fmt.Errorf("write nuke config: %w", err)
	}
	log.InfoContext(ctx, "cleanup started", "regions", rendered.Regions, "config", path,
		"successesNeeded", c.Policy.SuccessesNeeded, "failuresAllowed", c.Policy.FailuresAllowed)
	runner := &binaryRunner{c: c, config: path, creds: sandbox.Credentials, log: log}
	clock := c.Clock
	if clock == nil {
		clock = cleanup.RealClock{}
	}
	return cleanup.Run(ctx, c.Policy, runner, clock, log)
}

// binaryRunner runs one aws-nuke pass as a child process.
type binaryRunner struct {
	c      *Cleaner
	config string
	creds  aws.CredentialsProvider
	log    *slog.Logger
}

// RunPass runs aws-nuke once with fresh credentials. A non-zero exit
// (aws-nuke could not remove everything) is a failed pass.
func (r *binaryRunner) RunPass(ctx context.Context, pass int) error {
	creds, err := r.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("credentials for pass %d: %w", pass, err)
	}
	cmd := exec.CommandContext(ctx, r.c.Binary, "run",
		"--config", r.config,
		"--no-dry-run", "--no-prompt", "--prompt-delay", "3", "--no-alias-check",
		"--default-region", r.c.Base.Region,
		"--log-format", "json", "--log-disable-color")
	// Only what aws-nuke needs: never the hub credentials or a profile.
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + r.c.WorkDir,
		"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + creds.SessionToken,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
	}
	out := r.c.Output
	if out == nil {
		out = os.Stdout
	}
	cmd.Stdout, cmd.Stderr = out, out
	// On timeout: ask aws-nuke to stop, then kill it.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &exit):
		return fmt.Errorf("aws-nuke pass %d exited with status %s", pass, strconv.Itoa(exit.ExitCode()))
	default:
		return fmt.Errorf("aws-nuke pass %d: %w", pass, err)
	}
}
