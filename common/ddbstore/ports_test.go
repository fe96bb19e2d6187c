package ddbstore_test

// The services declare the store calls they make as their own small
// interfaces; the adapter is held to them here, beside it, so a change of
// either side fails to compile. Being a test file, it links none of the
// services into a function that only needs the store.

import (
	"testing"

	"github.com/isb-go/isb/common/catalog"
	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/drift"
	"github.com/isb-go/isb/common/leasing"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/monitor"
	"github.com/isb-go/isb/common/notify"
	"github.com/isb-go/isb/common/outbox"
	"github.com/isb-go/isb/common/pool"
	"github.com/isb-go/isb/common/report"
)

var (
	_ leasing.Leases    = ddbstore.LeaseStore{}
	_ leasing.Granter   = (*ddbstore.Store)(nil)
	_ leasing.Templates = ddbstore.TemplateStore{}

	_ catalog.Templates = ddbstore.TemplateStore{}

	_ pool.Accounts   = ddbstore.AccountStore{}
	_ pool.Leases     = ddbstore.LeaseStore{}
	_ pool.PageTokens = (*ddbstore.PageCodec)(nil)

	_ monitor.Leases   = ddbstore.LeaseStore{}
	_ monitor.Accounts = ddbstore.AccountStore{}

	_ lifecycle.Accounts = ddbstore.AccountStore{}
	_ lifecycle.Leases   = ddbstore.LeaseStore{}
	_ lifecycle.Pair     = (*ddbstore.Store)(nil)

	_ drift.Accounts = ddbstore.AccountStore{}

	_ report.LeaseLister = ddbstore.LeaseStore{}

	_ cleanup.AccountStore = ddbstore.AccountStore{}

	_ notify.Deliveries = ddbstore.DeliveryStore{}

	_ outbox.Store = ddbstore.OutboxStore{}
)

func TestAMonitorWriteGroupFitsOneCostTransaction(t *testing.T) {
	if monitor.WriteGroup > ddbstore.MaxCostRecords {
		t.Errorf("the monitor writes %d leases at once, the store takes at most %d", monitor.WriteGroup, ddbstore.MaxCostRecords)
	}
}
