// Package lifecycle_test drives the lifecycle manager's SQS handler and
// service against the emulator: DynamoDB tables with the outbox, the event
// bus with a tap, an organization with the pool OUs, and an IAM Identity
// Center instance with users, reached through the hub's role chain.
package lifecycle_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/isb-go/isb/common/awscfg"
	"slices"
	"sort"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/functions/lifecycle/consumer"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

func TestMain(m *testing.M) { emulator.Main(m) }

const (
	mgmt = "123456789012" // the emulator's default account creates the organization
	hub  = "111111111111"
	idc  = "333333333333"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// staticConfig serves a fixed global configuration.
type staticConfig struct{ g config.Global }

func (c staticConfig) Global(context.Context) (config.Global, error) { return c.g, nil }

// world is one test's platform: tables, bus, organization, Identity Center.
type world struct {
	t     *testing.T
	cfg   aws.Config
	store *ddbstore.Store
	tap   *fixture.Tap
	clock *fixture.Clock

	org   *organizations.Client
	root  string
	pool  config.AccountPoolParam
	ous   map[account.OU]string
	idc   config.IdcParam
	ids   *identitystore.Client
	sso   *ssoadmin.Client
	users map[string]string // email → user id

	global  config.Global
	handler *consumer.Handler
	// poolName and idcName are the shared parameters' names.
	poolName, idcName string
}

// newWorld builds the platform. svcOpts change the AWS configuration of
// the service under test only (the fault-injection middleware).
func newWorld(t *testing.T, svcOpts ...func(*aws.Config)) *world {
	t.Helper()
	ctx := context.Background()
	cfg := emulator.Config(t)
	w := &world{t: t, cfg: cfg, store: fixture.Store(t, cfg), tap: fixture.Bus(t, cfg),
		clock: &fixture.Clock{T: t0}, users: map[string]string{}, global: config.DefaultGlobal()}
	w.global.Cleanup.MaxConsecutiveCleanupFailures = 3

	w.org = organizations.NewFromConfig(cfg)
	must(t, func() error {
		_, err := w.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
		return err
	})
	roots, err := w.org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	w.root = aws.ToString(roots.Roots[0].Id)
	w.ous = map[account.OU]string{}
	for _, ou := range account.OUs {
		out, err := w.org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(w.root), Name: aws.String(string(ou))})
		if err != nil {
			t.Fatal(err)
		}
		w.ous[ou] = aws.ToString(out.OrganizationalUnit.Id)
	}
	w.pool = config.AccountPoolParam{AvailableOuID: w.ous[account.Available], ActiveOuID: w.ous[account.Active],
		CleanUpOuID: w.ous[account.CleanUp], QuarantineOuID: w.ous[account.Quarantine], FrozenOuID: w.ous[account.Frozen],
		EntryOuID: w.ous[account.Entry], ExitOuID: w.ous[account.Exit], OrgMgtAccountID: mgmt}

	// Identity Center lives in the IDC account: set it up with the
	// credentials the service will use there.
	idcCfg := awscfg.Chain(cfg, "setup", awscfg.RoleARN(hub, fixture.Namespace, names.IntermediateRole),
		awscfg.RoleARN(idc, fixture.Namespace, names.IdcRole))
	w.sso, w.ids = ssoadmin.NewFromConfig(idcCfg), identitystore.NewFromConfig(idcCfg)
	inst, err := w.sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) == 0 {
		t.Fatalf("no SSO instance: %v", err)
	}
	ps, err := w.sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst.Instances[0].InstanceArn,
		Name: aws.String("test_IsbUsersPS"), SessionDuration: aws.String("PT8H")})
	if err != nil {
		t.Fatal(err)
	}
	w.idc = config.IdcParam{IdcAccountID: idc, IdentityStoreID: aws.ToString(inst.Instances[0].IdentityStoreId),
		SsoInstanceArn: aws.ToString(inst.Instances[0].InstanceArn), UserPermissionSetArn: aws.ToString(ps.PermissionSet.PermissionSetArn)}

	poolName, idcName := "/"+names.Physical(fixture.Namespace, names.AccountPoolConfigParam), "/"+names.Physical(fixture.Namespace, names.IdcConfigParam)
	sp := ssm.NewFromConfig(cfg)
	for name, doc := range map[string]any{poolName: w.pool, idcName: w.idc} {
		b, _ := json.Marshal(doc)
		if _, err := sp.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(string(b)), Type: ssmtypes.ParameterTypeString}); err != nil {
			t.Fatal(err)
		}
	}

	w.poolName, w.idcName = poolName, idcName
	w.handler = w.newHandler(svcOpts...)
	return w
}

// newHandler builds the service and its SQS handler with fresh clients
// and caches, as a cold start would. opts change the AWS configuration of
// the service only (the fault-injection middleware).
func (w *world) newHandler(opts ...func(*aws.Config)) *consumer.Handler {
	svcCfg := w.cfg.Copy()
	for _, o := range opts {
		o(&svcCfg)
	}
	svcStore := ddbstore.New(dynamoClient(svcCfg), w.store.Tables(), nil)
	relay := outbox.New(svcStore.Outbox(), bus.New(eventbridge.NewFromConfig(svcCfg), fixture.BusName))
	svc := lifecycle.New(lifecycle.Deps{Accounts: svcStore.Accounts(), Leases: svcStore.Leases(), Pair: svcStore,
		Config: staticConfig{w.global}, Outbox: relay,
		AWS: lifecycle.NewReconciler(lifecycle.NewChainClients(svcCfg, fixture.Namespace, hub, w.poolName, w.idcName)),
		Now: w.clock.Now})
	return &consumer.Handler{Service: svc}
}

func must(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

// newAccount creates an organization account in the OU ou.
func (w *world) newAccount(ou account.OU) string {
	w.t.Helper()
	ctx := context.Background()
	n := uuid.NewString()[:8]
	out, err := w.org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("sandbox-" + n), Email: aws.String("sandbox-" + n + "@example.com")})
	if err != nil {
		w.t.Fatal(err)
	}
	st, err := w.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil {
		w.t.Fatal(err)
	}
	id := aws.ToString(st.CreateAccountStatus.AccountId)
	w.moveTo(id, ou)
	return id
}

// moveTo moves an account, as someone outside the platform would.
func (w *world) moveTo(id string, ou account.OU) {
	w.t.Helper()
	dst := w.root
	if ou != "" {
		dst = w.ous[ou]
	}
	if _, err := w.org.MoveAccount(context.Background(), &organizations.MoveAccountInput{AccountId: aws.String(id),
		SourceParentId: aws.String(w.parent(id)), DestinationParentId: aws.String(dst)}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) parent(id string) string {
	w.t.Helper()
	out, err := w.org.ListParents(context.Background(), &organizations.ListParentsInput{ChildId: aws.String(id)})
	if err != nil {
		w.t.Fatal(err)
	}
	return aws.ToString(out.Parents[0].Id)
}

// ouOf names the pool OU an account sits in ("root" or the id otherwise).
func (w *world) ouOf(id string) string {
	p := w.parent(id)
	for ou, ouID := range w.ous {
		if ouID == p {
			return string(ou)
		}
	}
	if p == w.root {
		return "root"
	}
	return p
}

// user creates an Identity Center user with the email.
func (w *world) user(email string) string {
	w.t.Helper()
	if id, ok := w.users[email]; ok {
		return id
	}
	out, err := w.ids.CreateUser(context.Background(), &identitystore.CreateUserInput{IdentityStoreId: aws.String(w.idc.IdentityStoreID),
		UserName: aws.String(email), DisplayName: aws.String(email),
		Name:   &istypes.Name{GivenName: aws.String("Test"), FamilyName: aws.String("User")},
		Emails: []istypes.Email{{Value: aws.String(email), Primary: true}}})
	if err != nil {
		w.t.Fatal(err)
	}
	w.users[email] = aws.ToString(out.UserId)
	return w.users[email]
}

// assignees lists the user principals holding the user permission set on
// an account (duplicates included).
func (w *world) assignees(id string) []string {
	w.t.Helper()
	out, err := w.sso.ListAccountAssignments(context.Background(), &ssoadmin.ListAccountAssignmentsInput{
		InstanceArn: aws.String(w.idc.SsoInstanceArn), AccountId: aws.String(id), PermissionSetArn: aws.String(w.idc.UserPermissionSetArn)})
	if err != nil {
		w.t.Fatal(err)
	}
	var ps []string
	for _, a := range out.AccountAssignments {
		if a.PrincipalType == ssotypes.PrincipalTypeUser {
			ps = append(ps, aws.ToString(a.PrincipalId))
		}
	}
	sort.Strings(ps)
	return ps
}

// grantAccess assigns a user directly, as an earlier run would have.
func (w *world) grantAccess(id, email string) {
	w.t.Helper()
	if _, err := w.sso.CreateAccountAssignment(context.Background(), &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(w.idc.SsoInstanceArn), PermissionSetArn: aws.String(w.idc.UserPermissionSetArn),
		PrincipalId: aws.String(w.user(email)), PrincipalType: ssotypes.PrincipalTypeUser,
		TargetId: aws.String(id), TargetType: ssotypes.TargetTypeAwsAccount}); err != nil {
		w.t.Fatal(err)
	}
}

// row writes an account row.
func (w *world) row(a account.Account) {
	w.t.Helper()
	if err := w.store.Accounts().Import(context.Background(), []account.Account{a}); err != nil {
		w.t.Fatal(err)
	}
}

// leased sets up an account granted to a new lease in status st, the
// account row in accountStatus and the account in OU ou.
func (w *world) leased(email string, st lease.Status, accountStatus account.Status, ou account.OU) (lease.Lease, string) {
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
	l, err := w.store.Leases().Create(context.Background(), l, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	k := l.Key
	w.row(account.Account{ID: id, Status: accountStatus, Lease: &k, LastCleanedAt: t0.Add(-48 * time.Hour)})
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
		batch.Records = append(batch.Records, awsevents.SQSMessage{MessageId: fmt.Sprintf("m%d", i), Body: string(body)})
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

func (w *world) account(id string) account.Account {
	w.t.Helper()
	a, err := w.store.Accounts().Get(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

func (w *world) lease(k lease.Key) lease.Lease {
	w.t.Helper()
	l, err := w.store.Leases().Get(context.Background(), k)
	if err != nil {
		w.t.Fatal(err)
	}
	return l
}

// detailTypes drains the tap and returns the sorted detail-types.
func (w *world) detailTypes() []string {
	w.t.Helper()
	got := fixture.DetailTypes(w.tap.Drain(w.t))
	slices.Sort(got)
	return got
}
