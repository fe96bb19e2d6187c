// Package lifecycle_test drives the lifecycle manager's SQS handler and
// service against the emulator: DynamoDB tables with the outbox, the event
// bus with a tap, an organization with the pool OUs, and an IAM Identity
// Center instance with users, reached through the hub's role chain.
package lifecycle_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/lifecycle/chain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/orgs"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/pool"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/functions/lifecycle/consumer"
	"github.com/isb-go/isb/test/fixture"
)

// mgmt is the emulator's default account, which creates the organization.
const mgmt, hub, idc = fixture.EmulatorAccount, fixture.HubAccount, fixture.IdcAccount

var t0 = fixture.T0

// world is one test's platform: tables, bus, organization, Identity Center.
type world struct {
	t *testing.T
	fixture.Platform
	clock *fixture.Clock

	org *fixture.Org
	// created lists every organization account the test made, so the
	// invariants cover accounts whose row was deleted (or never written).
	created []string
	ic      *fixture.IdentityCenter
	idc     config.IdcParam
	ids     *identitystore.Client
	users   map[string]string // email → user id

	global  config.Global
	handler *consumer.Handler
	// pool is the accounts API's service (eject), built with the same
	// AWS configuration as the handler.
	pool *pool.Service
}

// newWorld builds the platform. svcOpts change the AWS configuration of
// the service under test only (the fault-injection middleware).
func newWorld(t *testing.T, svcOpts ...func(*aws.Config)) *world {
	t.Helper()
	p := fixture.NewPlatform(t)
	w := &world{t: t, Platform: p,
		clock: &fixture.Clock{T: t0}, users: map[string]string{}, global: config.DefaultGlobal()}
	w.global.Cleanup.MaxConsecutiveCleanupFailures = 3

	w.org, w.ic = p.Pool(t, mgmt, hub, idc)
	w.idc, w.ids = w.ic.Param, w.ic.IDs

	w.handler = w.newHandler(svcOpts...)
	return w
}

// newHandler builds the service and its SQS handler with fresh clients
// and caches, as a cold start would. opts change the AWS configuration of
// the service only (the fault-injection middleware).
func (w *world) newHandler(opts ...func(*aws.Config)) *consumer.Handler {
	svcCfg := w.Cfg.Copy()
	for _, o := range opts {
		o(&svcCfg)
	}
	svcStore := ddbstore.New(dynamoClient(svcCfg), w.Store.Tables(), nil)
	relay := fixture.Relay(svcCfg, svcStore)
	clients := chain.New(svcCfg, fixture.Namespace, hub, fixture.PoolParamName, fixture.IdcParamName)
	reconciler := lifecycle.NewReconciler(clients.Manager())
	pp := poolparam.New(paramstore.New(svcCfg), fixture.PoolParamName, 0, nil)
	svc := lifecycle.New(lifecycle.Deps{Accounts: svcStore.Accounts(), Leases: svcStore.Leases(), Pair: svcStore,
		Config: fixture.StaticConfig(w.global), Outbox: relay, AWS: reconciler, Now: w.clock.Now})
	w.pool = pool.New(pool.Deps{Accounts: svcStore.Accounts(), Leases: svcStore.Leases(),
		Pool: pp, Org: orgs.NewChain(svcCfg, fixture.Namespace, hub, "api-accounts", pp), Outbox: relay,
		Config: fixture.StaticConfig(w.global),
		Access: reconciler, HubAccountID: hub, IdcAccountID: idc, Now: w.clock.Now})
	return &consumer.Handler{Service: svc}
}

// newAccount creates an organization account in the OU ou.
func (w *world) newAccount(ou account.OU) string {
	w.t.Helper()
	id := w.org.NewAccount(ou)
	w.created = append(w.created, id)
	return id
}

// moveTo moves an account, as someone outside the platform would.
func (w *world) moveTo(id string, ou account.OU) { w.t.Helper(); w.org.MoveTo(id, ou) }

// ouOf names the pool OU an account sits in ("root" or the id otherwise).
func (w *world) ouOf(id string) string { w.t.Helper(); return w.org.OUOf(id) }

// user creates an Identity Center user with the email, once.
func (w *world) user(email string) string {
	w.t.Helper()
	if id, ok := w.users[email]; ok {
		return id
	}
	w.users[email] = w.ic.CreateUser(email)
	return w.users[email]
}

// assignees lists the user principals holding the user permission set on
// an account (duplicates included).
func (w *world) assignees(id string) []string { w.t.Helper(); return w.ic.Assignees(id) }

// grantAccess assigns a user directly, as an earlier run would have.
func (w *world) grantAccess(id, email string) {
	w.t.Helper()
	if _, err := w.ic.SSO.CreateAccountAssignment(context.Background(), &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(w.idc.SsoInstanceArn), PermissionSetArn: aws.String(w.idc.UserPermissionSetArn),
		PrincipalId: aws.String(w.user(email)), PrincipalType: ssotypes.PrincipalTypeUser,
		TargetId: aws.String(id), TargetType: ssotypes.TargetTypeAwsAccount}); err != nil {
		w.t.Fatal(err)
	}
}

// row writes an account row.
func (w *world) row(a account.Account) {
	w.t.Helper()
	if err := w.Store.Accounts().Import(context.Background(), []account.Account{a}); err != nil {
		w.t.Fatal(err)
	}
}

// deleteRow deletes an account row, as an ejection does.
func (w *world) deleteRow(id string) {
	w.t.Helper()
	if _, err := w.Store.Accounts().Get(context.Background(), id); err != nil {
		w.t.Fatal(err)
	}
	if _, err := dynamoClient(w.Cfg).DeleteItem(context.Background(), &dynamodb.DeleteItemInput{
		TableName: aws.String(w.Store.Tables().Accounts),
		Key:       map[string]dbtypes.AttributeValue{names.AttrAccountID: &dbtypes.AttributeValueMemberS{Value: id}},
	}); err != nil {
		w.t.Fatal(err)
	}
}

// leased sets up an account granted to a new lease in status st, the
// account row in accountStatus and the account in OU ou.
func (w *world) leased(
	email string,
	st lease.Status,
	accountStatus account.Status,
	ou account.OU,
) (lease.Lease, string) {
	w.t.Helper()
	w.user(email)
	id := w.newAccount(ou)
	d := 24.0
	budget := 50.0
	exp := t0.Add(24 * time.Hour)
	l := lease.Lease{Key: lease.Key{UserEmail: email, UUID: uuid.NewString()}, Status: st,
		Terms:     lease.Terms{LeaseDurationInHours: &d, MaxSpend: &budget},
		AccountID: id, ApprovedBy: "manager@example.com", StartDate: t0, ExpirationDate: &exp,
		CreatedAt: t0, StatusChangedAt: t0}
	if st.Terminal() {
		l.EndDate = t0
	}
	l, err := w.Store.Leases().Create(context.Background(), l, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	k := l.Key
	w.row(account.Account{ID: id, Status: accountStatus, Lease: &k, LastCleanedAt: t0.Add(-48 * time.Hour)})
	return l, id
}

// inUse sets up an Active lease of dev on an Active account, with dev
// signed in to it.
func (w *world) inUse() (lease.Lease, string) {
	w.t.Helper()
	l, id := w.leased(dev, lease.Active, account.Active, account.Active)
	w.grantAccess(id, dev)
	return l, id
}

// send delivers events to the handler as one SQS batch.
func (w *world) send(evs ...events.Event) awsevents.SQSEventResponse {
	w.t.Helper()
	var batch awsevents.SQSEvent
	for i, ev := range evs {
		env, err := events.NewEnvelope(ev, uuid.NewString(), hub, "us-east-1", w.clock.Now())
		if err != nil {
			w.t.Fatal(err)
		}
		body, _ := json.Marshal(env)
		batch.Records = append(
			batch.Records,
			awsevents.SQSMessage{MessageId: fmt.Sprintf("m%d", i), Body: string(body)},
		)
	}
	resp, err := w.handler.Handle(context.Background(), batch)
	if err != nil {
		w.t.Fatal(err)
	}
	return resp
}

// ok delivers events one batch each and fails the test on any failure.
func (w *world) ok(evs ...events.Event) {
	w.t.Helper()
	for _, ev := range evs {
		if r := w.send(ev); len(r.BatchItemFailures) > 0 {
			w.t.Fatalf("%s failed: %+v", ev.DetailType(), r.BatchItemFailures)
		}
	}
}

// account reads an account row.
func (w *world) account(id string) account.Account {
	w.t.Helper()
	return fixture.Account(w.t, w.Store, id)
}

// lease reads a lease.
func (w *world) lease(k lease.Key) lease.Lease {
	w.t.Helper()
	return fixture.Lease(w.t, w.Store, k)
}

// detailTypes drains the tap and returns the sorted detail-types.
func (w *world) detailTypes() []string {
	w.t.Helper()
	got := fixture.DetailTypes(w.Tap.Drain(w.t))
	slices.Sort(got)
	return got
}
