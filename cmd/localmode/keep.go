package localmode

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/isb-go/isb/cmd/emulator"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
)

// recordFormat is the version of what local mode saves beside the
// emulator's state; a kept state of another version is refused.
const recordFormat = 1

// EmulatorStateFile is the emulator's saved state in a kept-state
// directory.
func EmulatorStateFile(dir string) string { return filepath.Join(dir, "emulator.state") }

// record is what local mode keeps of its own with the emulator's state:
// the identifiers the bootstrap created (the functions' environment needs
// them) and the registered accounts. Everything else (leases, accounts,
// queued messages, keys, sent mail, spend) is in the emulator's state.
type record struct {
	Format     int                     `json:"format"`
	Pool       config.AccountPoolParam `json:"pool"`
	Idc        config.IdcParam         `json:"idc"`
	Data       config.DataParam        `json:"data"`
	Queues     map[string]keptQueue    `json:"queues"`
	MachineArn string                  `json:"machineArn"`
	KeyID      string                  `json:"keyId"`
	GroupIDs   map[string]string       `json:"groupIds"`
	ProfileIDs map[string]string       `json:"profileIds"`
	Accounts   []string                `json:"accounts"`
	SavedAt    time.Time               `json:"savedAt"`
}

type keptQueue struct {
	URL string `json:"url"`
	ARN string `json:"arn"`
}

func (p *Platform) record() record {
	w := p.world
	r := record{Format: recordFormat, Pool: w.pool, Idc: w.idc, Data: w.data, Queues: map[string]keptQueue{},
		MachineArn: w.machineArn, KeyID: w.keyID, GroupIDs: w.groupIDs, ProfileIDs: w.profileIDs,
		Accounts: p.accounts, SavedAt: time.Now().UTC()}
	for name, q := range w.queues {
		r.Queues[name] = keptQueue{URL: q.url, ARN: q.arn}
	}
	return r
}

func (r record) world() *world {
	w := &world{pool: r.Pool, idc: r.Idc, data: r.Data, queues: map[string]queue{}, machineArn: r.MachineArn,
		keyID: r.KeyID, groupIDs: r.GroupIDs, profileIDs: r.ProfileIDs}
	for name, q := range r.Queues {
		w.queues[name] = queue{url: q.URL, arn: q.ARN}
	}
	return w
}

// startEmulator starts the emulator, from the kept state when there is
// one, and says whether it restored one (p.world and p.accounts are then
// set from it).
func (p *Platform) startEmulator(ctx context.Context) (restored bool, err error) {
	opts := emulator.Options{Port: p.opts.AWSPort}
	if dir := p.opts.KeepDir; dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, fmt.Errorf("localmode: state directory: %w", err)
		}
		opts.StateFile = EmulatorStateFile(dir)
	}
	if p.emu, err = emulator.StartWith(ctx, opts); err != nil {
		return false, err
	}
	if opts.StateFile == "" {
		return false, nil
	}
	var r record
	if restored, err = p.emu.RestoredState(ctx, &r); err != nil || !restored {
		return false, err
	}
	if r.Format != recordFormat {
		return false, fmt.Errorf("localmode: %s was kept by another version of local mode (format %d, this one "+
			"reads %d); remove the directory to start fresh", p.opts.KeepDir, r.Format, recordFormat)
	}
	p.world, p.accounts = r.world(), r.Accounts
	p.log.Info("state restored", "dir", p.opts.KeepDir, "saved_at", r.SavedAt, "accounts", r.Accounts)
	return true, nil
}

// resume is the start from a kept state: the bootstrap and the accounts'
// registration are in it, so only a cleanup that the stop interrupted is
// left to settle. Its execution was marked aborted on load; the cleanup
// watchdog reports it now rather than on its next sweep, so the account is
// cleaned again.
func (p *Platform) resume(ctx context.Context) error {
	if err := p.RunNow(ctx, names.CleanupWatchdogFunction); err != nil {
		return fmt.Errorf("localmode: settle interrupted cleanups: %w", err)
	}
	return nil
}

// saveState writes the whole state to the kept-state directory (nothing
// when there is none). The emulator writes a temporary file and renames
// it, so a crash keeps the previous state.
func (p *Platform) saveState() error {
	if p.opts.KeepDir == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	if err := p.emu.SaveState(ctx, p.record()); err != nil {
		return fmt.Errorf("localmode: keep the state in %s: %w", p.opts.KeepDir, err)
	}
	p.log.Info("state saved", "dir", p.opts.KeepDir, "ms", time.Since(start).Milliseconds())
	return nil
}
