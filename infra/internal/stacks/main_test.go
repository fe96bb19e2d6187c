package stacks

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
)

// The app is built and synthesized once per test binary; every test reads
// the cached templates and annotations.
var (
	testCfg      config.Config
	testStacks   *Stacks
	templates    = map[string]assertions.Template{}
	annotations  = map[string]assertions.Annotations{}
	testOutdir   string
	testAssetDir string
)

func TestMain(m *testing.M) {
	os.Setenv("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	tmp, err := os.MkdirTemp("", "isb-infra-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	testAssetDir = filepath.Join(tmp, "lambda")
	// Every Lambda gets a tiny fake bootstrap.zip, so the tests need no Go
	// cross-build.
	for _, l := range names.Lambdas {
		if err := writeFakeAsset(filepath.Join(testAssetDir, l.Dir)); err != nil {
			return 0, err
		}
	}
	if err := writeCleanerAssets(testAssetDir); err != nil { // see cleaner_test.go
		return 0, err
	}
	testOutdir = filepath.Join(tmp, "cdk.out")
	repoRoot, err := filepath.Abs("../../..")
	if err != nil {
		return 0, err
	}
	testCfg, err = config.Load(config.FromContextAndEnv(func(key string) any {
		switch key {
		case "lambdaAssetDir":
			return testAssetDir
		case "repoRoot":
			return repoRoot
		case "namespace":
			return "test"
		case "managedRegions":
			return "us-east-1,eu-west-2"
		case "alarmEmail":
			return "ops@example.com"
		case "allowedIpRanges":
			return []any{"203.0.113.0/24", "2001:db8::/32"}
		}
		return nil
	}, nil))
	if err != nil {
		return 0, err
	}
	start := time.Now()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(testOutdir)})
	testStacks = Build(app, testCfg)
	app.Synth(nil)
	for _, s := range testStacks.All() {
		templates[*s.StackName()] = assertions.Template_FromStack(s, nil)
		annotations[*s.StackName()] = assertions.Annotations_FromStack(s)
	}
	fmt.Fprintf(os.Stderr, "synthesized %d stacks in %s\n", len(templates), time.Since(start).Round(time.Millisecond))
	return m.Run(), nil
}

func writeFakeAsset(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "bootstrap.zip"))
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	w, err := zw.Create("bootstrap")
	if err == nil {
		_, err = w.Write([]byte("#!/bin/sh\n"))
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// template returns the cached template of a stack by base name.
func template(t *testing.T, base string) assertions.Template {
	t.Helper()
	tpl, ok := templates[StackName(testCfg, base)]
	if !ok {
		t.Fatalf("stack %s was not built", base)
	}
	return tpl
}

// props is a shorthand for assertions' object matchers.
type props = map[string]any

func objectLike(m props) assertions.Matcher { return assertions.Match_ObjectLike(&m) }
