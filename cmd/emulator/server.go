// Package emulator runs the local AWS emulator: moto 5.2.1 in server mode,
// started by the project's own launcher (moto_launcher.py, embedded in
// this package), which fixes the moto bugs the sandbox-pool workflows hit
// and adds /_local/* read-back endpoints. Local mode (cmd/localmode) and
// the test harness (test/emulator) both start it through this package.
//
// When python3 or moto is missing, Start fails with a message that says
// how to fix it.
package emulator

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

//go:embed moto_launcher.py
var launcherSource []byte

const (
	// EnvPython names the Python interpreter that runs the launcher;
	// python3 on PATH when unset.
	EnvPython = "ISB_PYTHON"
	// EnvURL points at an emulator that is already running (make local,
	// debugging); when set, no server is started.
	EnvURL = "ISB_EMULATOR_URL"

	// Region is the region tests use.
	Region = "us-east-1"
	// Seed is the value sent to /moto-api/seed after every reset, so that
	// generated IDs (account IDs, SSO instance ARNs) repeat from run to run.
	Seed = 4242

	// StartTimeout bounds the launcher's start-up.
	StartTimeout = 60 * time.Second
	stopTimeout  = 10 * time.Second
	// exitMissingModules is the launcher's exit status when moto or its
	// server extras cannot be imported.
	exitMissingModules = 3
	// exitBadState is the launcher's exit status when the state file it
	// was given cannot be loaded.
	exitBadState = 4
)

// Server is a running emulator.
type Server struct {
	url  string
	http *http.Client

	// The fields below are nil for a server attached through EnvURL.
	cmd  *exec.Cmd
	dir  string
	log  *logBuffer
	done chan struct{} // closed when the process has exited

	stopOnce sync.Once
}

// Start starts the emulator on a free loopback port and waits until it
// answers its health probe. If EnvURL is set it attaches to that server
// instead. The returned server outlives ctx, which bounds only the start-up.
func Start(ctx context.Context) (*Server, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return Attach(ctx, u)
	}
	return StartOn(ctx, 0)
}

// StartOn starts a new emulator on loopback port port (0: a free one),
// whatever EnvURL says.
func StartOn(ctx context.Context, port int) (*Server, error) {
	return StartWith(ctx, Options{Port: port})
}

// Options configure a new emulator.
type Options struct {
	// Port is the loopback port (0: a free one).
	Port int
	// StateFile, when set, is loaded at start if it exists (see
	// CheckStateFile) and written by SaveState.
	StateFile string
}

// StartWith starts a new emulator as opts say, whatever EnvURL says.
func StartWith(ctx context.Context, opts Options) (*Server, error) {
	if opts.StateFile != "" {
		if err := CheckStateFile(opts.StateFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	python, err := findPython()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "isb-emulator-")
	if err != nil {
		return nil, fmt.Errorf("emulator: create temp dir for the launcher: %w", err)
	}
	launcher := filepath.Join(dir, "moto_launcher.py")
	if err := os.WriteFile(launcher, launcherSource, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("emulator: write launcher: %w", err)
	}

	s := &Server{
		http: &http.Client{Timeout: 30 * time.Second},
		dir:  dir,
		log:  newLogBuffer(1 << 20),
		done: make(chan struct{}),
	}
	args := []string{launcher, "--managed", "--host", "127.0.0.1", "--port", strconv.Itoa(opts.Port)}
	if opts.StateFile != "" {
		abs, err := filepath.Abs(opts.StateFile)
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("emulator: state file %s: %w", opts.StateFile, err)
		}
		args = append(args, "--state", abs)
	}
	s.cmd = exec.Command(python, args...)
	s.cmd.Dir = dir
	s.cmd.Env = launcherEnv()
	s.cmd.Stderr = s.log
	s.cmd.SysProcAttr = sysProcAttr()
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("emulator: stdout pipe: %w", err)
	}
	if err := s.cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("emulator: start %s: %w", python, err)
	}

	ready := make(chan string, 1)
	stdoutDone := make(chan struct{})
	go func() {
		defer close(stdoutDone)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "READY "); ok {
				select {
				case ready <- strings.TrimSpace(u):
				default:
				}
				continue
			}
			_, _ = fmt.Fprintln(s.log, line)
		}
	}()
	go func() {
		<-stdoutDone     // Wait closes the pipe, so read it to the end first
		_ = s.cmd.Wait() // the exit status is read from ProcessState
		close(s.done)
	}()

	ctx, cancel := context.WithTimeout(ctx, StartTimeout)
	defer cancel()
	select {
	case s.url = <-ready:
	case <-s.done:
		err := s.exitError(python)
		s.Stop()
		return nil, err
	case <-ctx.Done():
		s.Stop()
		return nil, fmt.Errorf("emulator: %s did not report READY within %s: %w\nlauncher stderr:\n%s",
			python, StartTimeout, ctx.Err(), s.log.Tail(4096))
	}
	if err := s.waitHealthy(ctx); err != nil {
		s.Stop()
		return nil, fmt.Errorf("emulator: launcher reported READY but is not healthy: %w\nlauncher stderr:\n%s", err, s.log.Tail(4096))
	}
	return s, nil
}

// Attach uses an emulator that is already running at rawURL, for example
// one started by make local. Stop leaves that server running.
func Attach(ctx context.Context, rawURL string) (*Server, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("emulator: %s=%q is not an http URL", EnvURL, rawURL)
	}
	s := &Server{url: strings.TrimRight(rawURL, "/"), http: &http.Client{Timeout: 30 * time.Second}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.waitHealthy(ctx); err != nil {
		return nil, fmt.Errorf("emulator: %s points at %s, which is not a running emulator launched by moto_launcher.py: %w",
			EnvURL, s.url, err)
	}
	return s, nil
}

// URL is the emulator's base URL, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.url }

// Reset empties every backend of the emulator and re-seeds its random
// generator with Seed, so IDs repeat from test to test. The Step Functions
// interpreter setting survives the reset.
func (s *Server) Reset(ctx context.Context) error {
	if err := s.post(ctx, "/moto-api/reset", nil); err != nil {
		return fmt.Errorf("emulator: reset: %w", err)
	}
	if err := s.post(ctx, fmt.Sprintf("/moto-api/seed?a=%d", Seed), nil); err != nil {
		return fmt.Errorf("emulator: seed: %w", err)
	}
	return nil
}

// PostJSON posts body as JSON to a control endpoint of the emulator, such as
// /moto-api/static/ce/cost-and-usage-results, and fails on any status
// outside 2xx.
func (s *Server) PostJSON(ctx context.Context, path string, body any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("emulator: encode body for %s: %w", path, err)
	}
	if err := s.post(ctx, path, data); err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	return nil
}

// Stop ends the emulator process it started, first with SIGTERM and then,
// after a grace period, with SIGKILL. It is safe to call more than once.
// A server attached through EnvURL is left running.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil {
		return
	}
	s.stopOnce.Do(func() {
		if s.cmd.Process != nil {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.done:
			case <-time.After(stopTimeout):
				_ = s.cmd.Process.Kill()
				<-s.done
			}
		}
		_ = os.RemoveAll(s.dir)
	})
}

// Crash ends the launcher with SIGKILL, as a crash or kill -9 does:
// nothing is saved. Tests use it to check that a kept state survives one.
// Stop does nothing afterwards.
func (s *Server) Crash() {
	if s == nil || s.cmd == nil {
		return
	}
	s.stopOnce.Do(func() {
		if s.cmd.Process != nil {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		_ = os.RemoveAll(s.dir)
	})
}

// Log returns the tail of what the launcher wrote (moto's errors and
// tracebacks), at most max bytes. It is empty for an attached server.
func (s *Server) Log(max int) string {
	if s.log == nil {
		return ""
	}
	return s.log.Tail(max)
}

// LogMark is the position in the launcher's output that LogSince reads
// from; 0 for an attached server.
func (s *Server) LogMark() int64 {
	if s.log == nil {
		return 0
	}
	return s.log.Mark()
}

// LogSince returns what the launcher wrote after mark, at most max bytes.
func (s *Server) LogSince(mark int64, max int) string {
	if s.log == nil {
		return ""
	}
	return s.log.Since(mark, max)
}

// Exited is closed when the emulator process has ended (never, for an
// attached server).
func (s *Server) Exited() <-chan struct{} {
	if s.done == nil {
		return make(chan struct{})
	}
	return s.done
}

func (s *Server) waitHealthy(ctx context.Context) error {
	var last error
	for {
		if last = s.get(ctx, "/_local/health", io.Discard); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("health probe %s/_local/health: %w", s.url, errors.Join(ctx.Err(), last))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *Server) exitError(python string) error {
	code := -1
	if st := s.cmd.ProcessState; st != nil {
		code = st.ExitCode()
	}
	tail := s.log.Tail(4096)
	if code == exitBadState {
		return fmt.Errorf("emulator: the saved state cannot be loaded (remove it to start fresh):\n%s", tail)
	}
	if code == exitMissingModules {
		return fmt.Errorf("emulator: %s cannot import moto and its server extras. "+
			"The emulator-backed tests need moto 5.2.1 with server extras (flask, flask-cors, "+
			"antlr4-python3-runtime, jsonpath-ng), which the machine image's pyenv Python 3.11 has; "+
			"PyPI is not reachable here, so point %s at that interpreter "+
			"(e.g. %s=$(pyenv root)/versions/3.11.7/bin/python3).\nlauncher stderr:\n%s",
			python, EnvPython, EnvPython, tail)
	}
	return fmt.Errorf("emulator: launcher %s exited with status %d before it was ready\nlauncher stderr:\n%s",
		python, code, tail)
}

func (s *Server) post(ctx context.Context, path string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return s.do(req, io.Discard)
}

func (s *Server) get(ctx context.Context, path string, into io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+path, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return s.do(req, into)
}

func (s *Server) do(req *http.Request, into io.Writer) error {
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return fmt.Errorf("%s %s: HTTP %d: %s", req.Method, req.URL.Path, resp.StatusCode, bytes.TrimSpace(msg))
	}
	if _, err := io.Copy(into, resp.Body); err != nil {
		return fmt.Errorf("%s %s: read body: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// findPython resolves the interpreter from EnvPython or PATH.
func findPython() (string, error) {
	name := os.Getenv(EnvPython)
	from := EnvPython
	if name == "" {
		name, from = "python3", "PATH"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("emulator: cannot find the Python interpreter %q (looked in %s): %w. "+
			"The emulator-backed tests need python3 with moto 5.2.1 and its server extras; "+
			"install python3 or set %s to an interpreter that has moto (PyPI is not reachable here; "+
			"the machine image's pyenv Python 3.11 has it)", name, from, err, EnvPython)
	}
	return path, nil
}

// launcherEnv is the environment of the launcher: ours, minus the variable
// that would pin every request to one account.
func launcherEnv() []string {
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MOTO_ACCOUNT_ID=") || strings.HasPrefix(kv, "MOTO_PORT=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PYTHONUNBUFFERED=1")
}
