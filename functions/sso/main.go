// Command sso is the SAML sign-in handler of the /auth routes. See package
// signin.
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/sso/wiring"
)

func main() { boot.Main(wiring.Function) }
