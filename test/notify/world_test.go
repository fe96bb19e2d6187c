// Package notify_test drives the email notifier's SQS handler against the
// emulator: SESv2 with a verified sender, Identity Center groups in the
// IDC account reached through the hub's role chain, the IDC parameter in
// SSM and the Deliveries table. The mail is read back from the emulator.
package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/events"
	idcdir "github.com/isb-go/isb/common/idc"
	"github.com/isb-go/isb/common/notify"
	"github.com/isb-go/isb/common/ses"
	"github.com/isb-go/isb/functions/email-notifier/consumer"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

const (
	// sesAccount is the account the emulator's static credentials act
	// as: the hub, which sends the mail.
	sesAccount = "123456789012"
	hub        = "111111111111"
	idc        = "333333333333"
	sender     = "sandbox@example.com"
	webApp     = "https://sandbox.example.com"
	storeID    = "d-0000000001"
)

var t0 = fixture.T0

// world is one test's platform.
type world struct {
	t         *testing.T
	cfg       aws.Config
	ids       *identitystore.Client
	idc       config.IdcParam
	paramName string
	store     *ddbstore.Store
	global    config.Global
	// metrics receives the notifier's embedded-metric lines.
	metrics syncBuffer
	// seen is how many sent emails the test has already looked at.
	seen int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	cfg := emulator.Config(t)
	w := &world{t: t, cfg: cfg, store: fixture.Store(t, cfg), global: config.DefaultGlobal()}
	w.global.Notification.EmailFrom = sender
	w.global.Auth.WebAppURL = webApp

	if _, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String(sender)}); err != nil {
		t.Fatal(err)
	}

	// The groups live in the IDC account: create them with the
	// credentials the notifier will use there.
	w.ids = identitystore.NewFromConfig(fixture.IdcConfig(cfg, hub, idc))
	group := func(name string) string {
		out, err := w.ids.CreateGroup(
			ctx,
			&identitystore.CreateGroupInput{IdentityStoreId: aws.String(storeID), DisplayName: aws.String(name)},
		)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	w.idc = config.IdcParam{IdcAccountID: idc, IdentityStoreID: storeID,
		AdminGroupID: group(
			"test_IsbAdmins",
		), ManagerGroupID: group("test_IsbManagers"), UserGroupID: group("test_IsbUsers")}
	w.paramName = fixture.IdcParamName
	fixture.PutParam(t, cfg, w.paramName, w.idc)
	return w
}

// member creates a user with the email in the group.
func (w *world) member(groupID, email string) {
	w.t.Helper()
	userID := fixture.CreateUser(w.t, w.ids, storeID, email)
	if _, err := w.ids.CreateGroupMembership(context.Background(), &identitystore.CreateGroupMembershipInput{
		IdentityStoreId: aws.String(storeID),
		GroupId:         aws.String(groupID), MemberId: &istypes.MemberIdMemberUserId{Value: userID}}); err != nil {
		w.t.Fatal(err)
	}
}

// handler builds the notifier and its SQS handler with fresh clients and
// caches, as a cold start would. opts change the notifier's AWS
// configuration only (fault injection).
func (w *world) handler(opts ...func(*aws.Config)) *consumer.Handler {
	cfg := w.cfg.Copy()
	for _, o := range opts {
		o(&cfg)
	}
	n := &notify.Notifier{
		Config:     fixture.StaticConfig(w.global),
		Recipients: notify.NewDirectory(idcdir.ReadOnly(cfg, fixture.Namespace, hub, "email-notifier", w.paramName), nil),
		Deliveries: ddbstore.New(dynamoClient(cfg), w.store.Tables(), nil).Deliveries(),
		Sender: &notify.Sender{Mail: ses.New(sesv2.NewFromConfig(cfg)), Metrics: &w.metrics,
			Namespace: fixture.Namespace},
		Now: func() time.Time { return t0 },
	}
	return &consumer.Handler{Notifier: n}
}

// message wraps an event as the bus delivers it into the queue.
func (w *world) message(ev events.Event) awsevents.SQSMessage {
	w.t.Helper()
	env, err := events.NewEnvelope(ev, uuid.NewString(), hub, emulator.Region, t0)
	if err != nil {
		w.t.Fatal(err)
	}
	b, err := json.Marshal(env)
	if err != nil {
		w.t.Fatal(err)
	}
	return awsevents.SQSMessage{MessageId: uuid.NewString(), Body: string(b)}
}

// handle runs one batch through h and returns the ids of the failed
// messages.
func (w *world) handle(h *consumer.Handler, msgs ...awsevents.SQSMessage) []string {
	w.t.Helper()
	resp, err := h.Handle(context.Background(), awsevents.SQSEvent{Records: msgs})
	if err != nil {
		w.t.Fatalf("the handler failed the whole batch: %v", err)
	}
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// ok runs one batch of events and fails the test if any message failed.
func (w *world) ok(evs ...events.Event) {
	w.t.Helper()
	var msgs []awsevents.SQSMessage
	for _, ev := range evs {
		msgs = append(msgs, w.message(ev))
	}
	if failed := w.handle(w.handler(), msgs...); len(failed) > 0 {
		w.t.Fatalf("messages failed: %v", failed)
	}
}

// newMail returns the emails sent since the last call.
func (w *world) newMail() []emulator.SentEmail {
	w.t.Helper()
	all, err := emulator.SentEmails(context.Background(), sesAccount, emulator.Region)
	if err != nil {
		w.t.Fatal(err)
	}
	out := all[w.seen:]
	w.seen = len(all)
	return out
}

// recipients lists "to:addr" and "bcc:addr" of emails, sorted.
func recipients(mails []emulator.SentEmail) []string {
	var out []string
	for _, m := range mails {
		for _, a := range m.Destinations["ToAddresses"] {
			out = append(out, "to:"+a)
		}
		for _, a := range m.Destinations["BccAddresses"] {
			out = append(out, "bcc:"+a)
		}
		for _, a := range m.Destinations["CcAddresses"] {
			out = append(out, "cc:"+a)
		}
	}
	slices.Sort(out)
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// failSendTo is an SDK middleware that fails SendEmail with err whenever
// one of addrs is among the destinations; other calls go through.
func failSendTo(err error, addrs ...string) func(*aws.Config) {
	return fixture.FailWhen("FailSendTo", func(_ context.Context, params any) error {
		if send, ok := params.(*sesv2.SendEmailInput); ok && send.Destination != nil {
			d := send.Destination
			for _, a := range slices.Concat(d.ToAddresses, d.CcAddresses, d.BccAddresses) {
				if len(addrs) == 0 || slices.Contains(addrs, a) {
					return err
				}
			}
		}
		return nil
	})
}

func sorted(xs ...string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

func diff(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	return fmt.Sprintf("want %s\n got %s", strings.Join(want, ", "), strings.Join(got, ", "))
}

func dynamoClient(cfg aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(cfg) }
