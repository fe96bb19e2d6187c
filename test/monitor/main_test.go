package monitor_test

import (
	"testing"

	"github.com/isb-go/isb/test/emulator"
)

// TestMain runs the package's tests against one emulator, shared by all of them.
func TestMain(m *testing.M) { emulator.Main(m) }
