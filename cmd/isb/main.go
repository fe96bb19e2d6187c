// Command isb is the platform's command line. Today it has the local mode
// commands: isb local up (the whole platform on this machine), token,
// spend and mail.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/isb-go/isb/cmd/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cli.Root().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "isb:", err)
		os.Exit(1)
	}
}
