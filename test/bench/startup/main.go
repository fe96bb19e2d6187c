// Command startup measures how each function starts: it builds every
// function of names.Lambdas and a bare aws-lambda-go program with the flags
// of `make build-lambdas` (for this machine's architecture), starts each
// against a local stand-in of the Lambda Runtime API, and prints the time
// from process start to its first call of the runtime's invocation/next,
// the CPU time the process used to that moment (less sensitive than the
// wall time to other work on a shared machine) and the peak RSS, next to
// the bare program's. It asserts
// nothing; the targets (start-up within 1.5x the bare program, binaries of
// at most 15 MB) are printed as flags.
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/isb-go/isb/common/names"
)

// goFlags are LAMBDA_GOFLAGS of mk/infra.mk.
var goFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags=-s -w"}

const (
	maxBytes  = 15 << 20
	maxFactor = 1.5
	bare      = "bare"
)

func main() {
	root := flag.String("root", "..", "repository root")
	runs := flag.Int("runs", 15, "starts per program (the median is printed)")
	flag.Parse()
	if err := run(*root, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

type result struct {
	name    string
	bytes   int64
	startup time.Duration // median
	cpu     time.Duration // median CPU time (user and system) to that moment
	rssKiB  int64         // largest peak RSS over the runs
}

func run(root string, runs int) error {
	bin, err := os.MkdirTemp("", "isb-startup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	if err := build(root, bin); err != nil {
		return err
	}
	programs := []string{bare}
	for _, l := range names.Lambdas {
		programs = append(programs, l.Dir)
	}
	results := make([]result, len(programs))
	times := make([][]time.Duration, len(programs))
	cpus := make([][]time.Duration, len(programs))
	for i, p := range programs {
		info, err := os.Stat(filepath.Join(bin, p))
		if err != nil {
			return err
		}
		results[i] = result{name: p, bytes: info.Size()}
	}
	// Every program starts once a round, so that a change of the machine's
	// load (it is shared) weighs on all of them alike. One round more than
	// asked: the first only warms the page cache.
	for round := 0; round <= runs; round++ {
		for i, p := range programs {
			d, cpu, rss, err := startOnce(filepath.Join(bin, p), env(p))
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			if round > 0 {
				times[i], cpus[i] = append(times[i], d), append(cpus[i], cpu)
				results[i].rssKiB = max(results[i].rssKiB, rss)
			}
		}
	}
	for i := range results {
		results[i].startup, results[i].cpu = median(times[i]), median(cpus[i])
	}
	report(results)
	return nil
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// build writes every function and the bare program into bin, each named
// after its directory.
func build(root, bin string) error {
	pkgs := []string{}
	for _, l := range names.Lambdas {
		pkgs = append(pkgs, "./"+l.Dir)
	}
	for _, b := range []struct {
		dir  string
		pkgs []string
	}{{filepath.Join(root, "functions"), pkgs}, {filepath.Join(root, "test"), []string{"./bench/startup/bare"}}} {
		args := append(append([]string{"build"}, goFlags...), "-o", bin+string(filepath.Separator))
		cmd := exec.Command("go", append(args, b.pkgs...)...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = b.dir, os.Stdout, os.Stderr
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build in %s: %w", b.dir, err)
		}
	}
	return nil
}

// env is a function's environment: every key it needs, with a placeholder
// (nothing is called before the first event), and a region and
// credentials that resolve without the network.
func env(name string) []string {
	e := []string{"PATH=" + os.Getenv("PATH"), "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench", "AWS_SESSION_TOKEN=bench",
		"AWS_LAMBDA_FUNCTION_NAME=" + name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		names.EnvEndpoint + "=http://127.0.0.1:1"}
	if name == bare {
		return e
	}
	for _, k := range names.LambdaEnv(name) {
		v := "bench-" + strings.ToLower(k)
		if k == names.EnvWatchdogMaxAgeMinutes {
			v = "90"
		}
		e = append(e, k+"="+v)
	}
	return e
}

// startOnce starts the program with a runtime API stand-in that answers
// nothing: the first GET of invocation/next marks the end of the start,
// then the process is killed and its peak RSS read from its rusage.
func startOnce(path string, environ []string) (wall, cpu time.Duration, rssKiB int64, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, 0, err
	}
	next := make(chan time.Time, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/2018-06-01/runtime/invocation/next") {
			select {
			case next <- time.Now():
			default:
			}
		}
		<-r.Context().Done() // hold the long poll until the process dies
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	cmd := exec.Command(path)
	cmd.Env = append(environ, "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var at time.Time
	select {
	case at = <-next:
	case err := <-exited:
		return 0, 0, 0, fmt.Errorf("exited before calling the runtime API (%v): %s", err, stderr.String())
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		return 0, 0, 0, errors.New("no call of the runtime API within 10 s")
	}
	// The peak RSS is read while the process lives: the rusage of a child
	// started by os/exec reports at least the parent's RSS, which the
	// child shared until its exec.
	rssKiB, rssErr := peakRSS(cmd.Process.Pid)
	_ = cmd.Process.Kill()
	<-exited
	if rssErr != nil {
		return 0, 0, 0, rssErr
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, 0, errors.New("no rusage")
	}
	return at.Sub(start), time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), rssKiB, nil
}

// peakRSS is VmHWM of /proc/<pid>/status, in KiB.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in /proc/<pid>/status")
}

func report(results []result) {
	base := results[0]
	fmt.Printf("\nstart-up to the first runtime API call (median), its CPU time (median) and peak RSS;" +
		" bare aws-lambda-go first\n")
	fmt.Printf("%-20s %9s %10s %7s %8s %7s %9s  %s\n", "program", "size MB", "start ms", "x bare", "CPU ms",
		"x bare", "RSS MiB", "targets")
	slices.SortStableFunc(results[1:], func(a, b result) int { return cmp.Compare(b.startup, a.startup) })
	for _, r := range results {
		factor := float64(r.startup) / float64(base.startup)
		var miss []string
		if r.bytes > maxBytes {
			miss = append(miss, "binary > 15 MB")
		}
		if r.name != bare && factor > maxFactor {
			miss = append(miss, fmt.Sprintf("start-up > %.1fx bare", maxFactor))
		}
		flag := "ok"
		if len(miss) > 0 {
			flag = "MISSED: " + strings.Join(miss, ", ")
		}
		fmt.Printf("%-20s %9.1f %10.2f %7.2f %8.2f %7.2f %9.1f  %s\n", r.name, float64(r.bytes)/(1<<20),
			float64(r.startup.Microseconds())/1000, factor, float64(r.cpu.Microseconds())/1000,
			float64(r.cpu)/float64(base.cpu), float64(r.rssKiB)/1024, flag)
	}
}
