package events

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
)

// AutoApproved is the approvedBy value of a lease that no person approved.
const AutoApproved = lease.AutoApproved

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

func checkRequired(f *fault.Fields, field, v string) {
	if strings.TrimSpace(v) == "" {
		f.Add(field, "is required")
	}
}

// checkFormat records "is required" for an empty v, or must when valid
// refuses it.
func checkFormat(f *fault.Fields, field, v string, valid func(string) bool, must string) {
	switch {
	case v == "":
		f.Add(field, "is required")
	case !valid(v):
		f.Add(field, "%s", must)
	}
}

func checkAccountID(f *fault.Fields, field, v string) {
	checkFormat(f, field, v, account.ValidID, "must be 12 digits")
}

func checkEmail(f *fault.Fields, field, v string) {
	checkFormat(f, field, v, lease.ValidEmail, "must be an email address")
}

func checkUUID(f *fault.Fields, field, v string) {
	checkFormat(f, field, v, lease.ValidUUID, "must be a UUID")
}

func checkLeaseKey(f *fault.Fields, field string, k lease.Key) {
	if k == (lease.Key{}) {
		f.Add(field, "is required")
		return
	}
	checkEmail(f, field+".userEmail", k.UserEmail)
	checkUUID(f, field+".uuid", k.UUID)
}

func checkTime(f *fault.Fields, field string, t time.Time) {
	if t.IsZero() {
		f.Add(field, "is required")
	}
}

// checkMoney accepts a finite amount of USD that is not negative.
func checkMoney(f *fault.Fields, field string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		f.Add(field, "must be a finite amount of USD, not negative")
	}
}

// checkPositiveMoney accepts a finite amount of USD above zero.
func checkPositiveMoney(f *fault.Fields, field string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		f.Add(field, "must be a finite amount of USD above zero")
	}
}

func checkOptionalMoney(f *fault.Fields, field string, v *float64) {
	if v != nil {
		checkMoney(f, field, *v)
	}
}

func checkPositive(f *fault.Fields, field string, v int) {
	if v <= 0 {
		f.Add(field, "must be above zero")
	}
}

func checkOptionalPositive(f *fault.Fields, field string, v *int) {
	if v != nil {
		checkPositive(f, field, *v)
	}
}

// oneOf records an error unless v is one of allowed.
func oneOf[T ~string](f *fault.Fields, field string, v T, allowed []T) {
	if v == "" {
		f.Add(field, "is required")
		return
	}
	if slices.Contains(allowed, v) {
		return
	}
	list := make([]string, len(allowed))
	for i, a := range allowed {
		list[i] = string(a)
	}
	f.Add(field, "must be one of %s", strings.Join(list, ", "))
}
