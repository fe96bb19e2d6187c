package events

import (
	"reflect"

	"github.com/isb-go/isb/common/lease"
)

// AccountOf returns the sandbox account an event is about (its AccountID),
// or "" for an event about no account.
func AccountOf(ev Event) string { return field[string](ev, "AccountID") }

// LeaseOf returns the lease an event is about (its LeaseID), and false for
// an event about no lease.
func LeaseOf(ev Event) (lease.Key, bool) {
	k := field[lease.Key](ev, "LeaseID")
	return k, k != lease.Key{}
}

// field reads one named field of an event struct: every event names its
// account AccountID and its lease LeaseID, so one reader serves all 22.
func field[T any](ev Event, name string) T {
	var zero T
	v := reflect.ValueOf(ev)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return zero
	}
	f := v.FieldByName(name)
	if !f.IsValid() {
		return zero
	}
	t, _ := f.Interface().(T)
	return t
}
