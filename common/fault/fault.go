// Package fault holds the kinds of error the platform distinguishes
// (not found, conflict, invalid input, empty pool, limit reached) and the
// field-level validation error. Adapters translate SDK errors into these
// kinds; the API maps each kind to an HTTP status in one place.
package fault

import (
	"errors"
	"fmt"
	"strings"
)

// Error kinds. Test for them with errors.Is.
var (
	// NotFound: the item does not exist.
	NotFound = errors.New("not found")
	// Conflict: the item changed since it was read (a lost race), or its
	// current state does not allow the change.
	Conflict = errors.New("conflict")
	// Invalid: the input breaks a rule; the error lists the fields.
	Invalid = errors.New("invalid input")
	// PoolEmpty: no account is available to lease.
	PoolEmpty = errors.New("no accounts are available to lease")
	// LimitReached: a per-user quota is used up.
	LimitReached = errors.New("limit reached")
	// Forbidden: the caller is known but may not do this (for example a
	// user acting on someone else's lease).
	Forbidden = errors.New("forbidden")
)

// ForbiddenError says what the caller may not do.
type ForbiddenError struct {
	Reason string
}

func (e *ForbiddenError) Error() string { return "forbidden: " + e.Reason }

// Is reports a ForbiddenError as Forbidden.
func (e *ForbiddenError) Is(target error) bool { return target == Forbidden }

// ConflictError says which item lost a race or was in the wrong state.
type ConflictError struct {
	Entity string // "lease", "account", "lease template"
	Key    string
	Reason string
}

func (e *ConflictError) Error() string {
	msg := fmt.Sprintf("%s %s: conflict", e.Entity, e.Key)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Is reports a ConflictError as Conflict.
func (e *ConflictError) Is(target error) bool { return target == Conflict }

// NotFoundError names the missing item.
type NotFoundError struct {
	Entity string
	Key    string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s not found", e.Entity, e.Key) }

// Is reports a NotFoundError as NotFound.
func (e *NotFoundError) Is(target error) bool { return target == NotFound }

// LimitError names the quota that was reached and its value.
type LimitError struct {
	Limit string
	Value int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s reached (limit %d)", e.Limit, e.Value)
}

// Is reports a LimitError as LimitReached.
func (e *LimitError) Is(target error) bool { return target == LimitReached }

// FieldError is one broken rule on one input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Fields collects field errors. Its Err method returns nil when empty, so
// a validator can be written as a sequence of checks ending in return f.Err().
type Fields []FieldError

// Add records a broken rule on field.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Merge appends the field errors of err (if it is a ValidationError),
// prefixing each field with prefix. Other non-nil errors are recorded
// against the prefix itself.
func (f *Fields) Merge(prefix string, err error) {
	if err == nil {
		return
	}
	var v *ValidationError
	if !errors.As(err, &v) {
		f.Add(prefix, "%v", err)
		return
	}
	for _, fe := range v.Fields {
		name := fe.Field
		if prefix != "" {
			name = prefix + "." + name
		}
		*f = append(*f, FieldError{Field: name, Message: fe.Message})
	}
}

// Err returns a *ValidationError holding the recorded field errors, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: append([]FieldError(nil), f...)}
}

// ValidationError is invalid input, with every broken rule named by field.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, fe := range e.Fields {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Is reports a ValidationError as Invalid.
func (e *ValidationError) Is(target error) bool { return target == Invalid }

// Has reports whether err is a validation error naming field.
func Has(err error, field string) bool {
	var v *ValidationError
	if !errors.As(err, &v) {
		return false
	}
	for _, fe := range v.Fields {
		if fe.Field == field {
			return true
		}
	}
	return false
}
