// Command isb-cleaner cleans one sandbox account with aws-nuke. It is what
// the cleanup CodeBuild build runs:
//
//	isb-cleaner            clean the account in ISB_CLEANUP_ACCOUNT_ID and
//	                       answer the state machine's task token
//	isb-cleaner definition print the cleanup state machine (for asl-validator)
//
// It checks the aws-nuke binary's sha256, reaches the account through the
// role chain, runs aws-nuke passes under the global configuration's
// cleanup policy, logs its progress as JSON lines, answers the task token
// (ISB_CLEANUP_TASK_TOKEN) and exits 0 only when the account is clean.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/awscfg/defaultchain"
	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/cleanup/nuke"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/sfnrun"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if len(os.Args) > 1 && os.Args[1] == "definition" {
		if err := printDefinition(os.Stdout); err != nil {
			log.Error("definition", "error", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ok, err := run(ctx, log)
	if err != nil {
		log.ErrorContext(ctx, "cleanup could not run", "error", err)
	}
	if !ok {
		os.Exit(1)
	}
}

// settings is the cleaner's configuration, from the environment.
type settings struct {
	account, namespace, hub, management, idc   string
	binary, binarySHA256, nukeFile, globalFile string
	taskToken, endpoint                        string
}

func load() (settings, error) {
	s := settings{
		account: os.Getenv(names.EnvCleanupAccountID), namespace: os.Getenv(names.EnvNamespace),
		hub: os.Getenv(names.EnvHubAccountID), management: os.Getenv(names.EnvManagementAccountID),
		idc: os.Getenv(names.EnvIdcAccountID), binary: os.Getenv(names.EnvAwsNukeBinary),
		binarySHA256: os.Getenv(names.EnvAwsNukeSHA256), nukeFile: os.Getenv(names.EnvNukeConfigFile),
		globalFile: os.Getenv(names.EnvGlobalConfigFile), taskToken: os.Getenv(names.EnvCleanupTaskToken),
		endpoint: os.Getenv(names.EnvEndpoint),
	}
	var missing []string
	for k, v := range map[string]string{
		names.EnvCleanupAccountID: s.account, names.EnvNamespace: s.namespace, names.EnvHubAccountID: s.hub,
		names.EnvManagementAccountID: s.management, names.EnvIdcAccountID: s.idc, names.EnvAwsNukeBinary: s.binary,
		names.EnvNukeConfigFile: s.nukeFile, names.EnvGlobalConfigFile: s.globalFile,
	} {
		if v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return s, fmt.Errorf("missing environment variables %v", missing)
	}
	return s, nil
}

// run cleans the account and answers the task token; it reports whether
// the account is clean.
func run(ctx context.Context, log *slog.Logger) (bool, error) {
	s, err := load()
	if err != nil {
		return false, err
	}
	log = log.With("account_id", s.account)
	cfg, err := defaultchain.Load(ctx, awscfg.Options{Endpoint: s.endpoint})
	if err != nil {
		return false, err
	}
	res, cleanErr := clean(ctx, cfg, s, log)
	if s.taskToken != "" {
		// Answer even when the build is being stopped (SIGTERM ended ctx).
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := cleanup.Report(rctx, sfnrun.New(sfn.NewFromConfig(cfg)), s.taskToken, res, cleanErr); err != nil {
			return false, errors.Join(cleanErr, err)
		}
	}
	return cleanErr == nil && res.Succeeded, cleanErr
}

func clean(ctx context.Context, cfg aws.Config, s settings, log *slog.Logger) (cleanup.Result, error) {
	if s.binarySHA256 != "" {
		if err := checkSHA256(s.binary, s.binarySHA256); err != nil {
			return cleanup.Result{}, err
		}
	}
	global, err := readConfig(s.globalFile, config.ParseGlobal)
	if err != nil {
		return cleanup.Result{}, err
	}
	template, err := os.ReadFile(s.nukeFile)
	if err != nil {
		return cleanup.Result{}, fmt.Errorf("read nuke config: %w", err)
	}
	work, err := os.MkdirTemp("", "isb-cleaner-")
	if err != nil {
		return cleanup.Result{}, err
	}
	defer func() { _ = os.RemoveAll(work) }()
	c := &nuke.Cleaner{
		Base: cfg, Namespace: s.namespace,
		Accounts: cleanup.Accounts{Hub: s.hub, Management: s.management, IDC: s.idc},
		Template: template, Policy: cleanup.PolicyFrom(global.Cleanup), Binary: s.binary,
		Endpoint: s.endpoint, WorkDir: work, Output: os.Stdout, Log: log,
	}
	return c.Clean(ctx, s.account)
}

func readConfig[T any](path string, parse func([]byte) (T, error)) (T, error) {
	var zero T
	b, err := os.ReadFile(path)
	if err != nil {
		return zero, fmt.Errorf("read %s: %w", path, err)
	}
	v, err := parse(b)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// checkSHA256 refuses an aws-nuke binary that is not the pinned build.
func checkSHA256(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("aws-nuke binary: %w", err)
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("aws-nuke binary: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("aws-nuke binary %s has sha256 %s, want the pinned %s", path, got, want)
	}
	return nil
}

// printDefinition writes the state machine with example names, for
// asl-validator (make validate-cleanup-definition).
func printDefinition(w io.Writer) error {
	def, err := cleanup.Definition(cleanup.DefinitionInput{
		AccountTable:        names.Physical("dev", names.AccountTable),
		OutboxTable:         names.Physical("dev", names.OutboxTable),
		EventBus:            names.Physical("dev", names.EventBus),
		BuildQueueURL:       "https://sqs.us-east-1.amazonaws.com/123456789012/" + names.Physical("dev", names.CleanupBuildQueue),
		ProtectedAccounts:   []string{"111111111111", "222222222222", "333333333333"},
		BuildTimeoutSeconds: 4 * 3600,
		MetricNamespace:     names.MetricNamespace("dev"),
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, def)
	return err
}
