// Command api-configurations serves GET /configurations of the REST API.
package main

import (
	"github.com/isb-go/isb/functions/api-configurations/wiring"
	"github.com/isb-go/isb/functions/boot"
)

func main() { boot.Main(wiring.Function) }
