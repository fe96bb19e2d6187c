// Command api-lease-templates serves the /leaseTemplates routes of the REST API.
package main

import (
	"github.com/isb-go/isb/functions/api-lease-templates/wiring"
	"github.com/isb-go/isb/functions/boot"
)

func main() { boot.Main(wiring.Function) }
