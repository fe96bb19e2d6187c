package localmode

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Runtime is what a running `isb local up` writes for the other
// `isb local` commands (token, spend, mail).
type Runtime struct {
	API        string   `json:"api"`
	AWS        string   `json:"aws"`
	SigningKey string   `json:"signingKey"`
	Accounts   []string `json:"accounts"`
	PID        int      `json:"pid"`
}

// RuntimeFile is the runtime file's path in dir.
func RuntimeFile(dir string) string { return filepath.Join(dir, "local.json") }

func (p *Platform) writeRuntime() error {
	if p.opts.RuntimeDir == "" {
		return nil
	}
	if err := os.MkdirAll(p.opts.RuntimeDir, 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(Runtime{API: p.apiURL, AWS: p.emu.URL(), SigningKey: p.world.keyID,
		Accounts: p.accounts, PID: os.Getpid()}, "", "  ")
	return os.WriteFile(RuntimeFile(p.opts.RuntimeDir), b, 0o600)
}

func (p *Platform) removeRuntime() {
	if p.opts.RuntimeDir != "" && p.world != nil {
		_ = os.Remove(RuntimeFile(p.opts.RuntimeDir))
	}
}

// ReadRuntime reads the runtime file a running `isb local up` wrote in dir.
func ReadRuntime(dir string) (Runtime, error) {
	var s Runtime
	b, err := os.ReadFile(RuntimeFile(dir))
	if err != nil {
		return s, fmt.Errorf("no local platform running (start one with make local or isb local up): %w", err)
	}
	return s, json.Unmarshal(b, &s)
}
