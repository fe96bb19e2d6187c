// Command authorizer is the API Gateway REQUEST authorizer of the REST API.
// See package gate.
package main

import (
	"github.com/isb-go/isb/functions/authorizer/wiring"
	"github.com/isb-go/isb/functions/boot"
)

func main() { boot.Main(wiring.Function) }
