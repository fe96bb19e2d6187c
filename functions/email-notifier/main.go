// Command email-notifier sends the platform's email notifications: it
// consumes the events of names.EmailDetailTypes from its SQS queue and
// sends SESv2 email to the lessee and the Identity Center admin and
// manager groups (see common/notify).
package main

import (
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/idc"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/notify"
	"github.com/isb-go/isb/common/ses"
	"github.com/isb-go/isb/functions/email-notifier/consumer"
	"github.com/isb-go/isb/functions/internal/boot"
)

func main() {
	keys := []string{names.EnvNamespace, names.EnvHubAccountID, names.EnvIdcConfigParam, names.EnvDeliveryTable}
	env, cfg, _ := boot.Start("email-notifier", keys...)
	ns := env[names.EnvNamespace]
	n := &notify.Notifier{
		Config: appconfig.New(appconfig.NewExtension(ns), 0, nil),
		Recipients: notify.NewDirectory(idc.ReadOnly(cfg, ns, env[names.EnvHubAccountID], "email-notifier",
			env[names.EnvIdcConfigParam]), nil),
		Deliveries: ddbstore.NewDeliveryStore(dynamodb.NewFromConfig(cfg), env[names.EnvDeliveryTable]),
		Sender:     &notify.Sender{Mail: ses.New(sesv2.NewFromConfig(cfg)), Metrics: os.Stdout, Namespace: ns},
		Now:        time.Now,
	}
	slog.Info("email-notifier configured", "env", env)
	lambda.Start((&consumer.Handler{Notifier: n}).Handle)
}
