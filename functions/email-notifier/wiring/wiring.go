// Package wiring builds the email notifier: the SQS consumer over the
// notifier, its recipient directory (Identity Center through the role
// chain), the deliveries table and SESv2.
package wiring

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/idc"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/notify"
	"github.com/isb-go/isb/common/ses"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/boot/bootconf"
	"github.com/isb-go/isb/functions/email-notifier/consumer"
)

// Function is the email notifier.
var Function = boot.For(names.LambdaEmailNotifier, build, bootconf.Port)

func build(ctx context.Context, env boot.Env, cfg aws.Config) (any, error) {
	now := boot.Clock(ctx)
	ns := env[names.EnvNamespace]
	n := &notify.Notifier{
		Config: bootconf.Source(env),
		Recipients: notify.NewDirectory(idc.ReadOnly(cfg, ns, env[names.EnvHubAccountID], names.LambdaEmailNotifier,
			env[names.EnvIdcConfigParam]), nil),
		Deliveries: ddbstore.NewDeliveryStore(dynamodb.NewFromConfig(cfg), env[names.EnvDeliveryTable]),
		Sender:     &notify.Sender{Mail: ses.New(sesv2.NewFromConfig(cfg)), Metrics: os.Stdout, Namespace: ns},
		Now:        now,
	}
	slog.Info("email-notifier configured", "env", env)
	return (&consumer.Handler{Notifier: n}).Handle, nil
}
