package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/fault"
)

// wantFieldError fails unless err is a validation error naming field.
func wantFieldError(t *testing.T, err error, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one naming %q", field)
	}
	var v *fault.ValidationError
	if !errors.As(err, &v) || !errors.Is(err, fault.Invalid) {
		t.Fatalf("got %T %v, want a *fault.ValidationError", err, err)
	}
	if !fault.Has(err, field) {
		t.Fatalf("error does not name %q: %v", field, err)
	}
}

// wantMessage fails unless err names field with a message containing part.
func wantMessage(t *testing.T, err error, field, part string) {
	t.Helper()
	wantFieldError(t, err, field)
	var v *fault.ValidationError
	errors.As(err, &v)
	for _, fe := range v.Fields {
		if fe.Field == field && strings.Contains(fe.Message, part) {
			return
		}
	}
	t.Fatalf("no message for %q contains %q: %v", field, part, err)
}

func ptr[T any](v T) *T { return &v }

func fieldsOf(err error) []fault.FieldError {
	var v *fault.ValidationError
	if errors.As(err, &v) {
		return v.Fields
	}
	return nil
}
