// Command api-leases serves the /leases routes of the REST API.
package main

import (
	"github.com/isb-go/isb/functions/api-leases/wiring"
	"github.com/isb-go/isb/functions/boot"
)

func main() { boot.Main(wiring.Function) }
