package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/isb-go/isb/common/fault"
)

// rejectCase is a document a parser must refuse, with the field its error
// names.
type rejectCase struct{ name, yaml, field string }

// wantRejected runs parse on each case's document: each must fail with a
// validation error naming the case's field.
func wantRejected[T any](t *testing.T, parse func([]byte) (T, error), tests []rejectCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse([]byte(tc.yaml))
			wantFieldError(t, err, tc.field)
		})
	}
}

// wantRoundTrip fails unless v marshals to YAML that parse reads back as v.
func wantRoundTrip[T any](t *testing.T, parse func([]byte) (T, error), v T) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parse(b)
	if err != nil {
		t.Fatalf("parse(marshalled):\n%s\n%v", b, err)
	}
	if !reflect.DeepEqual(got, v) {
		t.Errorf("round trip changed the configuration:\ngot  %+v\nwant %+v", got, v)
	}
}

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
