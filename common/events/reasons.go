package events

import (
	"fmt"
	"slices"

	"github.com/isb-go/isb/common/fault"
)

// TerminationType says why a lease ended. It is the "type" discriminator
// of TerminationReason and the terminal status the lease gets.
type TerminationType string

// Termination types.
const (
	TerminationExpired            TerminationType = "Expired"
	TerminationBudgetExceeded     TerminationType = "BudgetExceeded"
	TerminationManual             TerminationType = "ManuallyTerminated"
	TerminationAccountQuarantined TerminationType = "AccountQuarantined"
	TerminationEjected            TerminationType = "Ejected"
	TerminationProvisioningFailed TerminationType = "ProvisioningFailed"
	// TerminationHeartbeatTimedOut: the holder stopped beating; the lease
	// ends Expired, since it ran out of the time its heartbeat bought.
	TerminationHeartbeatTimedOut TerminationType = "HeartbeatTimedOut"
)

// TerminationTypes lists every TerminationType.
var TerminationTypes = []TerminationType{
	TerminationExpired, TerminationBudgetExceeded, TerminationManual,
	TerminationAccountQuarantined, TerminationEjected, TerminationProvisioningFailed,
	TerminationHeartbeatTimedOut,
}

// TerminationReason is the tagged reason of LeaseTerminated. Type selects
// which of the other fields may be set:
//
//	Expired            leaseDurationInHours (optional: a lease can expire
//	                   without a configured duration when its expiration
//	                   date was edited)
//	BudgetExceeded     totalSpend (required), budget (optional)
//	ManuallyTerminated, AccountQuarantined, Ejected, ProvisioningFailed,
//	HeartbeatTimedOut  comment (optional)
//
// Build one with the Terminated* constructors; Validate rejects fields that
// do not belong to the type.
type TerminationReason struct {
	Type                 TerminationType `json:"type"`
	LeaseDurationInHours *int            `json:"leaseDurationInHours,omitempty"`
	Budget               *float64        `json:"budget,omitempty"`
	TotalSpend           *float64        `json:"totalSpend,omitempty"`
	Comment              string          `json:"comment,omitempty"`
}

// TerminatedExpired is the reason of a lease that reached its expiration
// date. leaseDurationInHours may be nil.
func TerminatedExpired(leaseDurationInHours *int) TerminationReason {
	return TerminationReason{Type: TerminationExpired, LeaseDurationInHours: leaseDurationInHours}
}

// TerminatedBudgetExceeded is the reason of a lease whose spend reached its
// budget. budget may be nil.
func TerminatedBudgetExceeded(budget *float64, totalSpend float64) TerminationReason {
	return TerminationReason{Type: TerminationBudgetExceeded, Budget: budget, TotalSpend: &totalSpend}
}

// TerminatedSilent is the reason of a lease whose holder sent no heartbeat
// for its whole timeout.
func TerminatedSilent(timeoutMinutes int) TerminationReason {
	return TerminationReason{Type: TerminationHeartbeatTimedOut,
		Comment: fmt.Sprintf("no heartbeat for %d minutes", timeoutMinutes)}
}

// TerminatedWithComment is the reason for the types that carry only a
// comment: ManuallyTerminated, AccountQuarantined, Ejected,
// ProvisioningFailed.
func TerminatedWithComment(t TerminationType, comment string) TerminationReason {
	return TerminationReason{Type: t, Comment: comment}
}

var terminationFields = map[TerminationType]reasonSpec{
	TerminationExpired:            {allowed: []string{"leaseDurationInHours"}},
	TerminationBudgetExceeded:     {required: []string{"totalSpend"}, allowed: []string{"budget"}},
	TerminationManual:             {allowed: []string{"comment"}},
	TerminationAccountQuarantined: {allowed: []string{"comment"}},
	TerminationEjected:            {allowed: []string{"comment"}},
	TerminationProvisioningFailed: {allowed: []string{"comment"}},
	TerminationHeartbeatTimedOut:  {allowed: []string{"comment"}},
}

// Validate checks the type and that exactly the fields of that type are set.
func (r TerminationReason) Validate() error {
	var f fault.Fields
	r.validate(&f, "")
	return f.Err()
}

func (r TerminationReason) validate(f *fault.Fields, prefix string) {
	if !checkTagged(f, prefix, r.Type, TerminationTypes, terminationFields, []presence{
		{"leaseDurationInHours", r.LeaseDurationInHours != nil},
		{"budget", r.Budget != nil},
		{"totalSpend", r.TotalSpend != nil},
		{"comment", r.Comment != ""},
	}) {
		return
	}
	checkOptionalPositive(f, prefix+"leaseDurationInHours", r.LeaseDurationInHours)
	checkOptionalMoney(f, prefix+"budget", r.Budget)
	checkOptionalMoney(f, prefix+"totalSpend", r.TotalSpend)
}

// FreezeType says why a lease was frozen. It is the "type" discriminator
// of FreezeReason.
type FreezeType string

// Freeze types.
const (
	FreezeExpired        FreezeType = "Expired"
	FreezeBudgetExceeded FreezeType = "BudgetExceeded"
	FreezeManual         FreezeType = "ManuallyFrozen"
)

// FreezeTypes lists every FreezeType.
var FreezeTypes = []FreezeType{FreezeExpired, FreezeBudgetExceeded, FreezeManual}

// FreezeReason is the tagged reason of LeaseFrozen and
// LeaseFreezingThresholdAlert. Type selects which fields may be set:
//
//	Expired         triggeredDurationThreshold (required, hours remaining),
//	                leaseDurationInHours (optional)
//	BudgetExceeded  triggeredBudgetThreshold and totalSpend (required),
//	                budget (optional)
//	ManuallyFrozen  comment (optional)
type FreezeReason struct {
	Type                       FreezeType `json:"type"`
	TriggeredDurationThreshold *int       `json:"triggeredDurationThreshold,omitempty"`
	LeaseDurationInHours       *int       `json:"leaseDurationInHours,omitempty"`
	TriggeredBudgetThreshold   *float64   `json:"triggeredBudgetThreshold,omitempty"`
	Budget                     *float64   `json:"budget,omitempty"`
	TotalSpend                 *float64   `json:"totalSpend,omitempty"`
	Comment                    string     `json:"comment,omitempty"`
}

// FrozenByDuration is the reason of a freeze triggered by a duration
// threshold (hours remaining). leaseDurationInHours may be nil.
func FrozenByDuration(triggeredDurationThreshold int, leaseDurationInHours *int) FreezeReason {
	return FreezeReason{
		Type:                       FreezeExpired,
		TriggeredDurationThreshold: &triggeredDurationThreshold,
		LeaseDurationInHours:       leaseDurationInHours,
	}
}

// FrozenByBudget is the reason of a freeze triggered by a budget threshold
// (USD spent). budget may be nil.
func FrozenByBudget(triggeredBudgetThreshold float64, budget *float64, totalSpend float64) FreezeReason {
	return FreezeReason{
		Type:                     FreezeBudgetExceeded,
		TriggeredBudgetThreshold: &triggeredBudgetThreshold,
		Budget:                   budget,
		TotalSpend:               &totalSpend,
	}
}

// FrozenManually is the reason of a freeze asked for through the API.
func FrozenManually(comment string) FreezeReason {
	return FreezeReason{Type: FreezeManual, Comment: comment}
}

var freezeFields = map[FreezeType]reasonSpec{
	FreezeExpired: {
		required: []string{"triggeredDurationThreshold"},
		allowed:  []string{"leaseDurationInHours"},
	},
	FreezeBudgetExceeded: {
		required: []string{"triggeredBudgetThreshold", "totalSpend"},
		allowed:  []string{"budget"},
	},
	FreezeManual: {allowed: []string{"comment"}},
}

// Validate checks the type and that exactly the fields of that type are set.
func (r FreezeReason) Validate() error {
	var f fault.Fields
	r.validate(&f, "")
	return f.Err()
}

func (r FreezeReason) validate(f *fault.Fields, prefix string) {
	if !checkTagged(f, prefix, r.Type, FreezeTypes, freezeFields, []presence{
		{"triggeredDurationThreshold", r.TriggeredDurationThreshold != nil},
		{"leaseDurationInHours", r.LeaseDurationInHours != nil},
		{"triggeredBudgetThreshold", r.TriggeredBudgetThreshold != nil},
		{"budget", r.Budget != nil},
		{"totalSpend", r.TotalSpend != nil},
		{"comment", r.Comment != ""},
	}) {
		return
	}
	checkOptionalPositive(f, prefix+"triggeredDurationThreshold", r.TriggeredDurationThreshold)
	checkOptionalPositive(f, prefix+"leaseDurationInHours", r.LeaseDurationInHours)
	if r.TriggeredBudgetThreshold != nil {
		checkPositiveMoney(f, prefix+"triggeredBudgetThreshold", *r.TriggeredBudgetThreshold)
	}
	checkOptionalMoney(f, prefix+"budget", r.Budget)
	checkOptionalMoney(f, prefix+"totalSpend", r.TotalSpend)
}

// checkTagged checks a tagged reason: its type one of types, and the
// fields set (set) those specs allow for that type. It reports whether
// the type is known, so that the fields' values are worth checking.
func checkTagged[T ~string](
	f *fault.Fields,
	prefix string,
	typ T,
	types []T,
	specs map[T]reasonSpec,
	set []presence,
) bool {
	oneOf(f, prefix+"type", typ, types)
	spec, ok := specs[typ]
	if ok {
		spec.check(f, prefix, string(typ), set)
	}
	return ok
}

// reasonSpec lists the fields a reason type requires and the ones it
// allows besides those.
type reasonSpec struct {
	required []string
	allowed  []string
}

// presence says whether one optional field of a reason is set.
type presence struct {
	field string
	set   bool
}

// check records a required field that is missing and a set field that
// does not belong to the type.
func (s reasonSpec) check(f *fault.Fields, prefix, typ string, fields []presence) {
	for _, p := range fields {
		switch {
		case slices.Contains(s.required, p.field):
			if !p.set {
				f.Add(prefix+p.field, "is required for reason type %s", typ)
			}
		case slices.Contains(s.allowed, p.field):
		case p.set:
			f.Add(prefix+p.field, "is not allowed for reason type %s", typ)
		}
	}
}
