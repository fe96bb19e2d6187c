// Command lifecycle is the account lifecycle manager: it consumes lease and
// account events from its SQS queue and carries out their side effects in
// DynamoDB, AWS Organizations and IAM Identity Center (see
// common/lifecycle).
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/lifecycle/wiring"
)

func main() { boot.Main(wiring.Function) }
