// Package drift_test runs the drift monitor's scan against the emulator:
// DynamoDB tables with the outbox, the event bus with a tap, an
// organization with the pool OUs and an IAM Identity Center instance,
// reached through the hub's role chain. The events a scan emits are fed to
// the real lifecycle manager, as the bus rule would.
package drift_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/bus"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/drift"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
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

// longAgo is a status change well outside the grace period.
var longAgo = t0.Add(-24 * time.Hour)

// staticConfig serves a fixed global configuration to the lifecycle manager.
type staticConfig struct{ g config.Global }

func (c staticConfig) Global(context.Context) (config.Global, error) { return c.g, nil }

// world is one test's platform.
type world struct {
	t     *testing.T
	cfg   aws.Config
	store *ddbstore.Store
	tap   *fixture.Tap

	org  *organizations.Client
	root string
	ous  map[account.OU]string
	idc  config.IdcParam
	ids  *identitystore.Client
	sso  *ssoadmin.Client
	// users maps the email of each Identity Center user made to its id.
	users map[string]string

	poolName, idcName string
	// life is the real lifecycle manager the drift reports are fed to.
	life *lifecycle.Service
	// scanner is the service under test; metrics receives its EMF lines.
	scanner *drift.Service
	metrics bytes.Buffer
}

// newWorld builds the platform. scanOpts change the AWS configuration of
// the drift monitor only (fault injection).
func newWorld(t *testing.T, scanOpts ...func(*aws.Config)) *world {
	t.Helper()
	ctx := context.Background()
	cfg := emulator.Config(t)
	w := &world{t: t, cfg: cfg, store: fixture.Store(t, cfg), tap: fixture.Bus(t, cfg), users: map[string]string{}}

	w.org = organizations.NewFromConfig(cfg)
	if _, err := w.org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
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
	pool := config.AccountPoolParam{AvailableOuID: w.ous[account.Available], ActiveOuID: w.ous[account.Active],
		CleanUpOuID: w.ous[account.CleanUp], QuarantineOuID: w.ous[account.Quarantine], FrozenOuID: w.ous[account.Frozen],
		EntryOuID: w.ous[account.Entry], ExitOuID: w.ous[account.Exit], OrgMgtAccountID: mgmt}

	// Identity Center lives in the IDC account: set it up with the
	// credentials the services will use there.
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

	w.poolName, w.idcName = "/"+names.Physical(fixture.Namespace, names.AccountPoolConfigParam), "/"+names.Physical(fixture.Namespace, names.IdcConfigParam)
	sp := ssm.NewFromConfig(cfg)
	for name, doc := range map[string]any{w.poolName: pool, w.idcName: w.idc} {
		b, _ := json.Marshal(doc)
		if _, err := sp.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(string(b)), Type: ssmtypes.ParameterTypeString}); err != nil {
			t.Fatal(err)
		}
	}

	w.life = w.lifecycle(cfg)
	scanCfg := cfg.Copy()
	for _, o := range scanOpts {
		o(&scanCfg)
	}
	w.scanner = w.newScanner(scanCfg)
	return w
}

// lifecycle builds a lifecycle manager over cfg, as its Lambda does.
func (w *world) lifecycle(cfg aws.Config) *lifecycle.Service {
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), w.store.Tables(), nil)
	return lifecycle.New(lifecycle.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Pair: store,
		Config: staticConfig{config.DefaultGlobal()},
		Outbox: outbox.New(store.Outbox(), bus.New(eventbridge.NewFromConfig(cfg), fixture.BusName)),
		AWS:    lifecycle.NewReconciler(lifecycle.NewChainClients(cfg, fixture.Namespace, hub, w.poolName, w.idcName)),
		Now:    func() time.Time { return t0 }})
}

// newScanner builds the drift monitor over cfg, as cmd drift-monitor
// does, with a page size of 2 so that every scan pages through the table.
func (w *world) newScanner(cfg aws.Config) *drift.Service {
	codec, err := ddbstore.NewPageCodec([]byte("drift-test-page-token-secret"))
	if err != nil {
		w.t.Fatal(err)
	}
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), w.store.Tables(), codec)
	publisher := bus.New(eventbridge.NewFromConfig(cfg), fixture.BusName)
	clients := lifecycle.NewChainClients(cfg, fixture.Namespace, hub, w.poolName, w.idcName)
	reconciler := lifecycle.New(lifecycle.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Pair: store,
		Outbox: outbox.New(store.Outbox(), publisher), AWS: lifecycle.NewReconciler(clients)})
	return drift.New(drift.Deps{Accounts: store.Accounts(), Org: clients, Complete: reconciler, Bus: publisher,
		Metrics: &w.metrics, Namespace: fixture.Namespace, PageSize: 2})
}

// scan runs one scan at t0 and fails the test on an error.
func (w *world) scan() drift.Summary {
	w.t.Helper()
	sum, err := w.scanner.Scan(context.Background(), t0)
	if err != nil {
		w.t.Fatalf("scan: %v", err)
	}
	return sum
}

// reports drains the tap and returns the drift reports, in account order.
// Any other event fails the test.
func (w *world) reports() []events.AccountDriftDetected {
	w.t.Helper()
	var out []events.AccountDriftDetected
	for _, r := range w.tap.Drain(w.t) {
		d, ok := r.Event.(events.AccountDriftDetected)
		if !ok {
			w.t.Fatalf("the scan emitted %s, want only %s", r.Envelope.DetailType, names.AccountDriftDetected)
		}
		if r.Envelope.Source != names.SourceDrift {
			w.t.Errorf("drift report source = %s, want %s", r.Envelope.Source, names.SourceDrift)
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b events.AccountDriftDetected) int {
		switch {
		case a.AccountID < b.AccountID:
			return -1
		case a.AccountID > b.AccountID:
			return 1
		}
		return 0
	})
	return out
}

// handle feeds drift reports to the lifecycle manager and drains the
// events it emits in turn.
func (w *world) handle(reports ...events.AccountDriftDetected) {
	w.t.Helper()
	for _, r := range reports {
		if err := w.life.Handle(context.Background(), r); err != nil {
			w.t.Fatalf("lifecycle manager: %v", err)
		}
	}
	w.tap.Drain(w.t)
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

// moveTo moves an account, as someone outside the platform would ("" is
// the organization's root).
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

// ouOf names the pool OU an account sits in ("root" outside the pool).
func (w *world) ouOf(id string) string {
	w.t.Helper()
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

// row writes an account row whose status last changed at changed.
func (w *world) row(id string, status account.Status, changed time.Time) {
	w.t.Helper()
	w.put(account.Account{ID: id, Status: status, CreatedAt: changed, StatusChangedAt: changed})
}

func (w *world) put(a account.Account) {
	w.t.Helper()
	if err := w.store.Accounts().Import(context.Background(), []account.Account{a}); err != nil {
		w.t.Fatal(err)
	}
}

// account reads an account row.
func (w *world) account(id string) account.Account {
	w.t.Helper()
	a, err := w.store.Accounts().Get(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// gone reports whether the account has no row.
func (w *world) gone(id string) bool {
	w.t.Helper()
	_, err := w.store.Accounts().Get(context.Background(), id)
	if err != nil && !errors.Is(err, fault.NotFound) {
		w.t.Fatal(err)
	}
	return err != nil
}

// leased sets up an account held by an Active lease of email, the row in
// status and the account in OU ou.
func (w *world) leased(email string, status account.Status, ou account.OU) (lease.Lease, string) {
	w.t.Helper()
	w.user(email)
	id := w.newAccount(ou)
	d, budget, exp := 24.0, 50.0, t0.Add(24*time.Hour)
	l, err := w.store.Leases().Create(context.Background(), lease.Lease{Key: lease.Key{UserEmail: email, UUID: uuid.NewString()},
		Status: lease.Active, Terms: lease.Terms{LeaseDurationInHours: &d, MaxSpend: &budget},
		AccountID: id, ApprovedBy: "manager@example.com", StartDate: longAgo, ExpirationDate: &exp,
		CreatedAt: longAgo, StatusChangedAt: longAgo}, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	k := l.Key
	w.put(account.Account{ID: id, Status: status, Lease: &k, CreatedAt: longAgo, StatusChangedAt: longAgo})
	return l, id
}

// user creates an Identity Center user with the email.
func (w *world) user(email string) string {
	w.t.Helper()
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
// an account.
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

// drifted returns the DriftedAccounts values of the metric lines written
// so far, and forgets them.
func (w *world) drifted() []int {
	w.t.Helper()
	var out []int
	for _, line := range bytes.Split(bytes.TrimSpace(w.metrics.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var doc struct {
			AWS struct {
				CloudWatchMetrics []struct {
					Namespace string
					Metrics   []struct{ Name string }
				}
			} `json:"_aws"`
			Drifted *int `json:"DriftedAccounts"`
		}
		if err := json.Unmarshal(line, &doc); err != nil {
			w.t.Fatalf("metric line is not JSON: %v\n%s", err, line)
		}
		m := doc.AWS.CloudWatchMetrics
		if len(m) != 1 || m[0].Namespace != names.MetricNamespace(fixture.Namespace) ||
			len(m[0].Metrics) != 1 || m[0].Metrics[0].Name != names.MetricDriftedAccounts || doc.Drifted == nil {
			w.t.Fatalf("metric line is not one %s data point in %s:\n%s", names.MetricDriftedAccounts, names.MetricNamespace(fixture.Namespace), line)
		}
		out = append(out, *doc.Drifted)
	}
	w.metrics.Reset()
	return out
}
