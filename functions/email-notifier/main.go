// Command email-notifier sends the platform's email notifications: it
// consumes the events of names.EmailDetailTypes from its SQS queue and
// sends SESv2 email to the lessee and the Identity Center admin and
// manager groups (see common/notify).
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/email-notifier/wiring"
)

func main() { boot.Main(wiring.Function) }
