package emulator

import "syscall"

// sysProcAttr makes the kernel stop the launcher if the test binary dies
// without calling Stop (killed by go test -timeout, for example), so no
// orphaned moto server is left behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
