// Package emulator is the test harness over the local AWS emulator
// (cmd/emulator: moto 5.2.1 started by the project's launcher).
//
// A test package opts in with
//
//	func TestMain(m *testing.M) { emulator.Main(m) }
//
// and each test takes its aws.Config from [Config], which empties the
// emulator first. Tests that use [Config] must not call t.Parallel: the
// emulator is shared by the whole package and [Config] resets all of it.
//
// When python3 or moto is missing, [Main] fails the package with a message
// that says how to fix it; emulator-backed tests never skip.
package emulator

import (
	"context"

	"github.com/isb-go/isb/cmd/emulator"
)

const (
	// EnvPython names the Python interpreter that runs the launcher.
	EnvPython = emulator.EnvPython
	// EnvURL points at an emulator that is already running; when set, no
	// server is started.
	EnvURL = emulator.EnvURL
	// Region is the region tests use.
	Region = emulator.Region
	// Seed is the value the emulator is re-seeded with after every reset.
	Seed = emulator.Seed
)

// Server is a running emulator.
type Server = emulator.Server

// Start starts the emulator on a free loopback port (or attaches to
// EnvURL); see emulator.Start.
func Start(ctx context.Context) (*Server, error) { return emulator.Start(ctx) }

// Attach uses an emulator that is already running at rawURL.
func Attach(ctx context.Context, rawURL string) (*Server, error) { return emulator.Attach(ctx, rawURL) }
