// Command jwt-rotator rotates the session token signing key: a new KMS key,
// its public key published in the public-key secret. See package rotator.
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/jwt-rotator/wiring"
)

func main() { boot.Main(wiring.Function) }
