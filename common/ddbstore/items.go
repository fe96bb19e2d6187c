package ddbstore

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/template"
)

// timeFormat is fixed-width UTC with milliseconds, so stored times sort
// as strings (the status index sorts on statusChangedAt).
const timeFormat = "2006-01-02T15:04:05.000Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeFormat, s)
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return fmtTime(*t)
}

// Items are mapped with their json tags: one set of names for storage.
func marshal(v any) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
}

// decodeEach decodes every item with decode; the first failure fails all.
func decodeEach[T any](
	items []map[string]types.AttributeValue,
	decode func(map[string]types.AttributeValue) (T, error),
) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, it := range items {
		v, err := decode(it)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func unmarshal(m map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMapWithOptions(m, v, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
}

// leaseItem is the stored form of a lease. Attribute names follow the
// upstream schema where one exists.
type leaseItem struct {
	UserEmail                 string                    `json:"userEmail"`
	UUID                      string                    `json:"uuid"`
	Status                    string                    `json:"status"`
	StatusChangedAt           string                    `json:"statusChangedAt"`
	OriginalLeaseTemplateUUID string                    `json:"originalLeaseTemplateUuid,omitempty"`
	OriginalLeaseTemplateName string                    `json:"originalLeaseTemplateName,omitempty"`
	MaxSpend                  *float64                  `json:"maxSpend,omitempty"`
	LeaseDurationInHours      *float64                  `json:"leaseDurationInHours,omitempty"`
	BudgetThresholds          []lease.BudgetThreshold   `json:"budgetThresholds,omitempty"`
	DurationThresholds        []lease.DurationThreshold `json:"durationThresholds,omitempty"`
	CostReportGroup           *string                   `json:"costReportGroup,omitempty"`
	Comments                  string                    `json:"comments,omitempty"`
	CreatedBy                 string                    `json:"createdBy,omitempty"`
	AwsAccountID              string                    `json:"awsAccountId,omitempty"`
	ApprovedBy                string                    `json:"approvedBy,omitempty"`
	StartDate                 string                    `json:"startDate,omitempty"`
	ExpirationDate            string                    `json:"expirationDate,omitempty"`
	LastCheckedDate           string                    `json:"lastCheckedDate,omitempty"`
	TotalCostAccrued          float64                   `json:"totalCostAccrued"`
	EndRequested              string                    `json:"endRequested,omitempty"`
	EndRequestedAt            string                    `json:"endRequestedAt,omitempty"`
	HeartbeatTimeoutMinutes   int                       `json:"heartbeatTimeoutMinutes,omitempty"`
	HeartbeatDeadline         string                    `json:"heartbeatDeadline,omitempty"`
	Beating                   string                    `json:"beating,omitempty"`
	EndDate                   string                    `json:"endDate,omitempty"`
	TTL                       int64                     `json:"ttl,omitempty"`
	Version                   int64                     `json:"version"`
	CreatedDate               string                    `json:"createdDate"`
	LastModifiedDate          string                    `json:"lastModifiedDate"`
}

func leaseToItem(l lease.Lease) (map[string]types.AttributeValue, error) {
	it := leaseItem{
		UserEmail: l.UserEmail, UUID: l.UUID, Status: string(l.Status),
		StatusChangedAt:           fmtTime(l.StatusChangedAt),
		OriginalLeaseTemplateUUID: l.OriginalTemplateUUID, OriginalLeaseTemplateName: l.OriginalTemplateName,
		MaxSpend: l.MaxSpend, LeaseDurationInHours: l.LeaseDurationInHours,
		BudgetThresholds: l.BudgetThresholds, DurationThresholds: l.DurationThresholds,
		CostReportGroup: l.CostReportGroup, Comments: l.Comments, CreatedBy: l.CreatedBy,
		AwsAccountID: l.AccountID, ApprovedBy: l.ApprovedBy,
		StartDate: fmtTime(l.StartDate), ExpirationDate: fmtTimePtr(l.ExpirationDate),
		LastCheckedDate: fmtTime(l.LastCheckedDate), TotalCostAccrued: l.TotalCostAccrued,
		EndRequested: string(l.EndRequested), EndRequestedAt: fmtTime(l.EndRequestedAt),
		HeartbeatTimeoutMinutes: l.HeartbeatTimeoutMinutes, HeartbeatDeadline: fmtTimePtr(l.HeartbeatDeadline),
		EndDate: fmtTime(l.EndDate), TTL: l.TTL, Version: l.Version,
		CreatedDate: fmtTime(l.CreatedAt), LastModifiedDate: fmtTime(l.UpdatedAt),
	}
	if l.HeartbeatDeadline != nil {
		it.Beating = names.Beating
	}
	m, err := marshal(it)
	if err != nil {
		return nil, fmt.Errorf("marshal lease %s: %w", l.Key, err)
	}
	return m, nil
}

func leaseFromItem(m map[string]types.AttributeValue) (lease.Lease, error) {
	var it leaseItem
	if err := unmarshal(m, &it); err != nil {
		return lease.Lease{}, fmt.Errorf("unmarshal lease: %w", err)
	}
	l := lease.Lease{
		Key:    lease.Key{UserEmail: it.UserEmail, UUID: it.UUID},
		Status: lease.Status(it.Status),
		Terms: lease.Terms{MaxSpend: it.MaxSpend, LeaseDurationInHours: it.LeaseDurationInHours,
			BudgetThresholds: it.BudgetThresholds, DurationThresholds: it.DurationThresholds,
			CostReportGroup: it.CostReportGroup},
		OriginalTemplateUUID: it.OriginalLeaseTemplateUUID, OriginalTemplateName: it.OriginalLeaseTemplateName,
		Comments: it.Comments, CreatedBy: it.CreatedBy, AccountID: it.AwsAccountID, ApprovedBy: it.ApprovedBy,
		TotalCostAccrued: it.TotalCostAccrued, TTL: it.TTL, Version: it.Version,
		EndRequested:            lease.Status(it.EndRequested),
		HeartbeatTimeoutMinutes: it.HeartbeatTimeoutMinutes,
	}
	var err error
	times := []struct {
		dst *time.Time
		src string
	}{
		{&l.StatusChangedAt, it.StatusChangedAt}, {&l.StartDate, it.StartDate},
		{&l.LastCheckedDate, it.LastCheckedDate}, {&l.EndDate, it.EndDate},
		{&l.CreatedAt, it.CreatedDate}, {&l.UpdatedAt, it.LastModifiedDate},
		{&l.EndRequestedAt, it.EndRequestedAt},
	}
	for _, t := range times {
		if *t.dst, err = parseTime(t.src); err != nil {
			return lease.Lease{}, fmt.Errorf("lease %s/%s: %w", it.UserEmail, it.UUID, err)
		}
	}
	if it.ExpirationDate != "" {
		exp, err := parseTime(it.ExpirationDate)
		if err != nil {
			return lease.Lease{}, fmt.Errorf("lease %s/%s: %w", it.UserEmail, it.UUID, err)
		}
		l.ExpirationDate = &exp
	}
	if it.HeartbeatDeadline != "" {
		d, err := parseTime(it.HeartbeatDeadline)
		if err != nil {
			return lease.Lease{}, fmt.Errorf("lease %s/%s: %w", it.UserEmail, it.UUID, err)
		}
		l.HeartbeatDeadline = &d
	}
	if !l.Status.Valid() {
		return lease.Lease{}, fmt.Errorf("lease %s/%s has unknown status %q", it.UserEmail, it.UUID, it.Status)
	}
	return l, nil
}

type cleanupItem struct {
	StateMachineExecutionArn       string `json:"stateMachineExecutionArn"`
	StateMachineExecutionStartTime string `json:"stateMachineExecutionStartTime"`
	// Outcome is set by the cleaner when it has reported the run.
	Outcome string `json:"outcome,omitempty"`
}

// accountItem is the stored form of a sandbox account.
type accountItem struct {
	AwsAccountID            string       `json:"awsAccountId"`
	Email                   string       `json:"email,omitempty"`
	Name                    string       `json:"name,omitempty"`
	Status                  string       `json:"status"`
	StatusChangedAt         string       `json:"statusChangedAt"`
	LeaseUserEmail          string       `json:"leaseUserEmail,omitempty"`
	LeaseUUID               string       `json:"leaseUuid,omitempty"`
	DriftAtLastScan         bool         `json:"driftAtLastScan"`
	CleanupExecutionContext *cleanupItem `json:"cleanupExecutionContext,omitempty"`
	LastCleanedAt           string       `json:"lastCleanedAt,omitempty"`
	CleanupFailures         int          `json:"cleanupFailures,omitempty"`
	Version                 int64        `json:"version"`
	CreatedDate             string       `json:"createdDate"`
	LastModifiedDate        string       `json:"lastModifiedDate"`
}

func accountToItem(a account.Account) (map[string]types.AttributeValue, error) {
	it := accountItem{
		AwsAccountID: a.ID, Email: a.Email, Name: a.Name, Status: string(a.Status),
		StatusChangedAt: fmtTime(a.StatusChangedAt), DriftAtLastScan: a.DriftAtLastScan,
		LastCleanedAt: fmtTime(a.LastCleanedAt), CleanupFailures: a.CleanupFailures,
		Version: a.Version, CreatedDate: fmtTime(a.CreatedAt), LastModifiedDate: fmtTime(a.UpdatedAt),
	}
	if a.Lease != nil {
		it.LeaseUserEmail, it.LeaseUUID = a.Lease.UserEmail, a.Lease.UUID
	}
	if a.Cleanup != nil {
		it.CleanupExecutionContext = &cleanupItem{
			a.Cleanup.ExecutionARN,
			fmtTime(a.Cleanup.StartedAt),
			a.Cleanup.Outcome,
		}
	}
	m, err := marshal(it)
	if err != nil {
		return nil, fmt.Errorf("marshal account %s: %w", a.ID, err)
	}
	return m, nil
}

func accountFromItem(m map[string]types.AttributeValue) (account.Account, error) {
	var it accountItem
	if err := unmarshal(m, &it); err != nil {
		return account.Account{}, fmt.Errorf("unmarshal account: %w", err)
	}
	a := account.Account{
		ID: it.AwsAccountID, Email: it.Email, Name: it.Name, Status: account.Status(it.Status),
		DriftAtLastScan: it.DriftAtLastScan, CleanupFailures: it.CleanupFailures, Version: it.Version,
	}
	if it.LeaseUUID != "" {
		a.Lease = &lease.Key{UserEmail: it.LeaseUserEmail, UUID: it.LeaseUUID}
	}
	var err error
	for _, t := range []struct {
		dst *time.Time
		src string
	}{
		{&a.StatusChangedAt, it.StatusChangedAt}, {&a.LastCleanedAt, it.LastCleanedAt},
		{&a.CreatedAt, it.CreatedDate}, {&a.UpdatedAt, it.LastModifiedDate},
	} {
		if *t.dst, err = parseTime(t.src); err != nil {
			return account.Account{}, fmt.Errorf("account %s: %w", it.AwsAccountID, err)
		}
	}
	if c := it.CleanupExecutionContext; c != nil {
		started, err := parseTime(c.StateMachineExecutionStartTime)
		if err != nil {
			return account.Account{}, fmt.Errorf("account %s: %w", it.AwsAccountID, err)
		}
		a.Cleanup = &account.CleanupExecution{
			ExecutionARN: c.StateMachineExecutionArn,
			StartedAt:    started,
			Outcome:      c.Outcome,
		}
	}
	if !a.Status.IsStatus() {
		return account.Account{}, fmt.Errorf("account %s has unknown status %q", it.AwsAccountID, it.Status)
	}
	return a, nil
}

// templateItem is the stored form of a lease template.
type templateItem struct {
	UUID                 string                    `json:"uuid"`
	Name                 string                    `json:"name"`
	Description          string                    `json:"description,omitempty"`
	RequiresApproval     bool                      `json:"requiresApproval"`
	Visibility           string                    `json:"visibility"`
	CreatedBy            string                    `json:"createdBy"`
	MaxSpend             *float64                  `json:"maxSpend,omitempty"`
	LeaseDurationInHours *float64                  `json:"leaseDurationInHours,omitempty"`
	BudgetThresholds     []lease.BudgetThreshold   `json:"budgetThresholds,omitempty"`
	DurationThresholds   []lease.DurationThreshold `json:"durationThresholds,omitempty"`
	CostReportGroup      *string                   `json:"costReportGroup,omitempty"`
	HeartbeatDefault     int                       `json:"heartbeatTimeoutMinutes,omitempty"`
	HeartbeatMax         int                       `json:"maxHeartbeatTimeoutMinutes,omitempty"`
	Version              int64                     `json:"version"`
	CreatedDate          string                    `json:"createdDate"`
	LastModifiedDate     string                    `json:"lastModifiedDate"`
}

func templateToItem(t template.Template) (map[string]types.AttributeValue, error) {
	it := templateItem{
		UUID: t.UUID, Name: t.Name, Description: t.Description, RequiresApproval: t.RequiresApproval,
		Visibility: string(t.Visibility), CreatedBy: t.CreatedBy,
		MaxSpend: t.MaxSpend, LeaseDurationInHours: t.LeaseDurationInHours,
		BudgetThresholds: t.BudgetThresholds, DurationThresholds: t.DurationThresholds,
		CostReportGroup: t.CostReportGroup, Version: t.Version,
		HeartbeatDefault: t.Heartbeat.DefaultMinutes, HeartbeatMax: t.Heartbeat.MaxMinutes,
		CreatedDate: fmtTime(t.CreatedAt), LastModifiedDate: fmtTime(t.UpdatedAt),
	}
	m, err := marshal(it)
	if err != nil {
		return nil, fmt.Errorf("marshal lease template %s: %w", t.UUID, err)
	}
	return m, nil
}

func templateFromItem(m map[string]types.AttributeValue) (template.Template, error) {
	var it templateItem
	if err := unmarshal(m, &it); err != nil {
		return template.Template{}, fmt.Errorf("unmarshal lease template: %w", err)
	}
	t := template.Template{
		UUID: it.UUID, Name: it.Name, Description: it.Description, RequiresApproval: it.RequiresApproval,
		Visibility: template.Visibility(it.Visibility), CreatedBy: it.CreatedBy,
		Terms: lease.Terms{MaxSpend: it.MaxSpend, LeaseDurationInHours: it.LeaseDurationInHours,
			BudgetThresholds: it.BudgetThresholds, DurationThresholds: it.DurationThresholds,
			CostReportGroup: it.CostReportGroup},
		Heartbeat: lease.Heartbeat{DefaultMinutes: it.HeartbeatDefault, MaxMinutes: it.HeartbeatMax},
		Version:   it.Version,
	}
	var err error
	if t.CreatedAt, err = parseTime(it.CreatedDate); err != nil {
		return template.Template{}, fmt.Errorf("lease template %s: %w", it.UUID, err)
	}
	if t.UpdatedAt, err = parseTime(it.LastModifiedDate); err != nil {
		return template.Template{}, fmt.Errorf("lease template %s: %w", it.UUID, err)
	}
	return t, nil
}
