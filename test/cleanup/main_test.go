// Package cleanup_test runs the account cleaner against the emulator: the
// real aws-nuke binary against a sandbox account, and the cleanup state
// machine with its local runner and watchdog.
package cleanup_test

import (
	"testing"

	"github.com/isb-go/isb/test/emulator"
)

func TestMain(m *testing.M) { emulator.Main(m) }
