// Package data holds the constructs of the Data stack: the DynamoDB
// tables, the AppConfig application with its three hosted profiles, and
// the parameter that tells the Compute stack their identifiers.
package data

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// TablesProps configures the tables.
type TablesProps struct {
	Namespace string
	// Key encrypts every table.
	Key  awskms.IKey
	Mode config.Mode
}

// Tables are the lease, sandbox account, lease template and outbox tables.
type Tables struct {
	constructs.Construct
	Leases         awsdynamodb.Table
	Accounts       awsdynamodb.Table
	LeaseTemplates awsdynamodb.Table
	// Outbox holds events committed with the changes they announce until
	// the bus has them.
	Outbox awsdynamodb.Table
	// Deliveries remembers sent notifications until their TTL, so an
	// event delivered twice sends its email once.
	Deliveries awsdynamodb.Table
	// Sessions holds used sign-in request ids and revoked session token
	// ids until their TTL (ddbstore.SessionStore).
	Sessions awsdynamodb.Table
}

// NewTables creates the tables with the key schema the stores in
// common expect. All are on-demand, point-in-time recoverable and
// encrypted with the customer-managed key; prod mode retains them and
// turns deletion protection on.
func NewTables(scope constructs.Construct, id string, props *TablesProps) *Tables {
	c := constructs.NewConstruct(scope, jsii.String(id))
	t := &Tables{Construct: c}

	t.Leases = newTable(c, "LeaseTable", props, names.LeaseTable,
		str(names.AttrUserEmail), str(names.AttrUUID), names.AttrTTL)
	addStatusIndex(t.Leases)
	// Sparse: only leases with a heartbeat deadline carry its keys, so the
	// reaper queries the overdue ones instead of scanning the table.
	t.Leases.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(names.HeartbeatIndex),
		PartitionKey:   str(names.AttrBeating),
		SortKey:        str(names.AttrHeartbeatDeadline),
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	})

	t.Accounts = newTable(c, "SandboxAccountTable", props, names.AccountTable,
		str(names.AttrAccountID), nil, "")
	addStatusIndex(t.Accounts)

	t.LeaseTemplates = newTable(c, "LeaseTemplateTable", props, names.LeaseTemplateTable,
		str(names.AttrUUID), nil, "")

	t.Outbox = newTable(c, "OutboxTable", props, names.OutboxTable,
		str(names.AttrID), nil, names.AttrTTL)
	// The relay reads undelivered records through this index, oldest
	// first, instead of scanning the table; a delivered record is deleted
	// and leaves it. One partition takes about 1,000 writes a second, far
	// above the platform's event rate.
	t.Outbox.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(names.OutboxPendingIndex),
		PartitionKey:   str(names.AttrPending),
		SortKey:        str(names.AttrCreatedAt),
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	})

	t.Deliveries = newTable(c, "DeliveryTable", props, names.DeliveryTable,
		str(names.AttrID), nil, names.AttrTTL)

	t.Sessions = newTable(c, "SessionTable", props, names.SessionTable,
		str(names.AttrID), nil, names.AttrTTL)
	return t
}

// All returns the tables in a fixed order.
func (t *Tables) All() []awsdynamodb.Table {
	return []awsdynamodb.Table{t.Leases, t.Accounts, t.LeaseTemplates, t.Outbox, t.Deliveries, t.Sessions}
}

func str(name string) *awsdynamodb.Attribute {
	return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
}

func newTable(scope constructs.Construct, id string, props *TablesProps, base string,
	pk, sk *awsdynamodb.Attribute, ttl string) awsdynamodb.Table {
	tp := &awsdynamodb.TableProps{
		TableName:    jsii.String(names.Physical(props.Namespace, base)),
		PartitionKey: pk,
		SortKey:      sk,
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:         awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey:      props.Key,
		DeletionProtection: jsii.Bool(props.Mode == config.ModeProd),
		RemovalPolicy:      platform.RemovalPolicy(props.Mode),
	}
	if ttl != "" {
		tp.TimeToLiveAttribute = jsii.String(ttl)
	}
	return awsdynamodb.NewTable(scope, jsii.String(id), tp)
}

// addStatusIndex adds the StatusIndex GSI: status → statusChangedAt.
func addStatusIndex(t awsdynamodb.Table) {
	t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(names.StatusIndex),
		PartitionKey:   str(names.AttrStatus),
		SortKey:        str(names.AttrStatusChangedAt),
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	})
}
