// Command api-accounts serves the /accounts routes of the REST API.
package main

import (
	"github.com/isb-go/isb/functions/api-accounts/wiring"
	"github.com/isb-go/isb/functions/boot"
)

func main() { boot.Main(wiring.Function) }
