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
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/drift"
	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/lifecycle/chain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/test/fixture"
)

// mgmt is the emulator's default account, which creates the organization.
const mgmt, hub, idc = fixture.EmulatorAccount, fixture.HubAccount, fixture.IdcAccount

// longAgo is a status change well outside the grace period.
var longAgo = fixture.T0.Add(-24 * time.Hour)

// world is one test's platform.
type world struct {
	t *testing.T
	fixture.Platform

	org *fixture.Org
	ic  *fixture.IdentityCenter
	// users maps the email of each Identity Center user made to its id.
	users map[string]string

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
	p := fixture.NewPlatform(t)
	cfg := p.Cfg
	w := &world{t: t, Platform: p, users: map[string]string{}}

	w.org, w.ic = p.Pool(t, mgmt, hub, idc)

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
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), w.Store.Tables(), nil)
	return lifecycle.New(lifecycle.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Pair: store,
		Config: fixture.StaticConfig(config.DefaultGlobal()),
		Outbox: fixture.Relay(cfg, store),
		AWS: lifecycle.NewReconciler(
			chain.New(cfg, fixture.Namespace, hub, fixture.PoolParamName, fixture.IdcParamName).Lifecycle(),
		),
		Now: func() time.Time { return fixture.T0 }})
}

// newScanner builds the drift monitor over cfg, as cmd drift-monitor
// does, with a page size of 2 so that every scan pages through the table.
func (w *world) newScanner(cfg aws.Config) *drift.Service {
	codec, err := ddbstore.NewPageCodec([]byte("drift-test-page-token-secret"))
	if err != nil {
		w.t.Fatal(err)
	}
	store := ddbstore.New(dynamodb.NewFromConfig(cfg), w.Store.Tables(), codec)
	publisher := fixture.Publisher(cfg)
	clients := chain.New(cfg, fixture.Namespace, hub, fixture.PoolParamName, fixture.IdcParamName)
	reconciler := lifecycle.New(lifecycle.Deps{Accounts: store.Accounts(), Leases: store.Leases(), Pair: store,
		Outbox: outbox.New(store.Outbox(), publisher), AWS: lifecycle.NewReconciler(clients.Lifecycle())})
	return drift.New(drift.Deps{Accounts: store.Accounts(), Org: clients, Complete: reconciler, Bus: publisher,
		Metrics: &w.metrics, Namespace: fixture.Namespace, PageSize: 2})
}

// scan runs one scan at fixture.T0 and fails the test on an error.
func (w *world) scan() drift.Summary {
	w.t.Helper()
	sum, err := w.scanner.Scan(context.Background(), fixture.T0)
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
	for _, r := range w.Tap.Drain(w.t) {
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
	w.Tap.Drain(w.t)
}

// newAccount creates an organization account in the OU ou.
func (w *world) newAccount(ou account.OU) string { w.t.Helper(); return w.org.NewAccount(ou) }

// moveTo moves an account, as someone outside the platform would ("" is
// the organization's root).
func (w *world) moveTo(id string, ou account.OU) { w.t.Helper(); w.org.MoveTo(id, ou) }

// ouOf names the pool OU an account sits in ("root" outside the pool).
func (w *world) ouOf(id string) string { w.t.Helper(); return w.org.OUOf(id) }

// row writes an account row whose status last changed at changed.
func (w *world) row(id string, status account.Status, changed time.Time) {
	w.t.Helper()
	w.put(account.Account{ID: id, Status: status, CreatedAt: changed, StatusChangedAt: changed})
}

func (w *world) put(a account.Account) {
	w.t.Helper()
	if err := w.Store.Accounts().Import(context.Background(), []account.Account{a}); err != nil {
		w.t.Fatal(err)
	}
}

// account reads an account row.
func (w *world) account(id string) account.Account {
	w.t.Helper()
	return fixture.Account(w.t, w.Store, id)
}

// gone reports whether the account has no row.
func (w *world) gone(id string) bool {
	w.t.Helper()
	_, err := w.Store.Accounts().Get(context.Background(), id)
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
	d, budget, exp := 24.0, 50.0, fixture.T0.Add(24*time.Hour)
	l, err := w.Store.Leases().
		Create(context.Background(), lease.Lease{Key: lease.Key{UserEmail: email, UUID: uuid.NewString()},
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
	w.users[email] = w.ic.CreateUser(email)
	return w.users[email]
}

// assignees lists the user principals holding the user permission set on
// an account.
func (w *world) assignees(id string) []string { w.t.Helper(); return w.ic.Assignees(id) }

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
			w.t.Fatalf(
				"metric line is not one %s data point in %s:\n%s",
				names.MetricDriftedAccounts,
				names.MetricNamespace(fixture.Namespace),
				line,
			)
		}
		out = append(out, *doc.Drifted)
	}
	w.metrics.Reset()
	return out
}
