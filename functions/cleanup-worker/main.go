// Command cleanup-worker starts the cleanup CodeBuild build for each build
// request the cleanup state machine queues (see package worker).
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/cleanup-worker/wiring"
)

func main() { boot.Main(wiring.Function) }
