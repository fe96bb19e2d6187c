// Package localup drives `isb local up` as a person does at a terminal: the
// built binary as a child process in its own process group, stopped by
// SIGINT to the whole group as Ctrl-C sends it, once started fresh and once
// with its state kept between runs (ISB_LOCAL_STATE).
package localup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// isbBinary is bin/isb built once for the package.
var isbBinary string

// root is the repository's root (the tests run in test/localup).
var root, _ = filepath.Abs(filepath.Join("..", ".."))

const (
	readyDeadline = 5 * time.Minute
	stopDeadline  = 60 * time.Second
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "isb-localup-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	isbBinary = filepath.Join(dir, "isb")
	build := exec.Command("go", "build", "-o", isbBinary, "./isb")
	build.Dir = filepath.Join(root, "cmd")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: build isb: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// up is one running `isb local up`.
type up struct {
	t       *testing.T
	cmd     *exec.Cmd
	env     []string
	lines   chan string // stdout, line by line
	stdout  *tail
	stderr  *tail
	done    chan struct{}
	api     string
	aws     string
	tmp     string // TMPDIR of the process
	started time.Duration
}

// start runs `isb local up` with one account in its own process group,
// with extra environment, and waits for its ready line.
func start(t *testing.T, runtimeDir string, extra ...string) *up {
	t.Helper()
	u := &up{t: t, lines: make(chan string, 256), stdout: &tail{}, stderr: &tail{}, done: make(chan struct{}),
		tmp: t.TempDir()}
	u.env = append(os.Environ(),
		"ISB_LOCAL_ACCOUNTS=1",
		"ISB_LOCAL_PORT="+strconv.Itoa(freePort(t)),
		"ISB_LOCAL_RUNTIME="+runtimeDir,
		"ISB_AWS_NUKE="+nukeBinary(),
		"TMPDIR="+u.tmp,
		"AWS_EC2_METADATA_DISABLED=true",
	)
	u.env = append(u.env, extra...)
	u.cmd = exec.Command(isbBinary, "local", "up")
	u.cmd.Dir = root
	u.cmd.Env = u.env
	u.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	u.cmd.Stderr = u.stderr
	out, err := u.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	if err := u.cmd.Start(); err != nil {
		t.Fatalf("start isb local up: %v", err)
	}
	t.Cleanup(u.kill)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			_, _ = fmt.Fprintln(u.stdout, sc.Text())
			select {
			case u.lines <- sc.Text():
			default:
			}
		}
		close(u.lines)
	}()
	go func() { _ = u.cmd.Wait(); close(u.done) }()

	deadline := time.After(readyDeadline)
	for u.api == "" || u.aws == "" {
		select {
		case line, ok := <-u.lines:
			if !ok {
				<-u.done
				t.Fatalf("isb local up ended before it was ready (%v)\nstdout:\n%s\nstderr:\n%s",
					u.cmd.ProcessState, u.stdout, u.stderr)
			}
			if v, ok := strings.CutPrefix(line, "ready: "); ok {
				u.api = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "aws endpoint: "); ok {
				u.aws = strings.TrimSpace(v)
			}
		case <-deadline:
			t.Fatalf("isb local up not ready within %s\nstdout:\n%s\nstderr:\n%s", readyDeadline, u.stdout, u.stderr)
		}
	}
	u.started = time.Since(begin)
	t.Logf("ready in %s: %s (emulator %s)", u.started.Round(100*time.Millisecond), u.api, u.aws)
	return u
}

// interrupt sends SIGINT to the process group, as Ctrl-C at a terminal
// does, and checks that everything stopped cleanly: exit status 0 within
// stopDeadline, no process of the group left (the emulator included), both
// ports free, the temporary directory empty.
func (u *up) interrupt() {
	t := u.t
	t.Helper()
	pgid := u.cmd.Process.Pid
	if err := syscall.Kill(-pgid, syscall.SIGINT); err != nil {
		t.Fatalf("SIGINT to the process group: %v", err)
	}
	select {
	case <-u.done:
	case <-time.After(stopDeadline):
		t.Fatalf("isb local up still running %s after SIGINT\nstdout:\n%s\nstderr:\n%s", stopDeadline, u.stdout,
			u.stderr)
	}
	if code := u.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("isb local up exited with %d after SIGINT, want 0\nstdout:\n%s\nstderr:\n%s", code, u.stdout,
			u.stderr)
	}
	if left := groupMembers(t, pgid); len(left) > 0 {
		t.Errorf("processes of the group left after the stop: %v", left)
	}
	for _, base := range []string{u.api, u.aws} {
		if !portFree(base) {
			t.Errorf("%s is still listening after the stop", base)
		}
	}
	entries, err := os.ReadDir(u.tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left in the temporary directory: %s", e.Name())
	}
}

// kill ends the group if a test failed before interrupt.
func (u *up) kill() {
	select {
	case <-u.done:
	default:
		_ = syscall.Kill(-u.cmd.Process.Pid, syscall.SIGKILL)
		<-u.done
	}
}

// token runs `isb local token` against the running platform.
func (u *up) token(email string) string {
	u.t.Helper()
	c := exec.Command(isbBinary, "local", "token", "--email", email)
	c.Dir, c.Env = root, u.env
	out, err := c.Output()
	if err != nil {
		u.t.Fatalf("isb local token --email %s: %v (%s)", email, err, errOutput(err))
	}
	return strings.TrimSpace(string(out))
}

// call sends a REST API request and decodes the answer's data into into.
func (u *up) call(token, method, path string, body, into any) int {
	u.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.api+path, rd)
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if into != nil && resp.StatusCode/100 == 2 {
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &env); err != nil || json.Unmarshal(env.Data, into) != nil {
			u.t.Fatalf("%s %s: cannot decode %s", method, path, raw)
		}
	}
	if resp.StatusCode/100 != 2 {
		u.t.Logf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// waitOutput waits for a line of stdout with prefix (after the ready line).
func (u *up) sawLine(prefix string) bool {
	return strings.Contains("\n"+u.stdout.String(), "\n"+prefix)
}

func errOutput(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

func nukeBinary() string {
	if p := os.Getenv("ISB_AWS_NUKE"); p != "" {
		return p
	}
	return filepath.Join(root, "build", "aws-nuke", "aws-nuke")
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// portFree says whether the host:port of base can be listened on again.
func portFree(base string) bool {
	ln, err := net.Listen("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// groupMembers lists the processes (pid and command) whose process group
// is pgid, read from /proc.
func groupMembers(t *testing.T, pgid int) []string {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatalf("read /proc: %v", err)
	}
	var found []string
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue // ended meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 3 || f[2] != strconv.Itoa(pgid) || f[0] == "Z" {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		found = append(found, fmt.Sprintf("%d %s", pid, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
	}
	return found
}

// tail keeps the last 16 KiB written to it (the platform logs a lot).
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tail) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - 16<<10; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tail) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
