// Package chaintest checks the role chains the adapters take, for tests.
package chaintest

import (
	"slices"
	"testing"
)

// Want fails t unless got is the chain of role ARNs want; what names the
// chain in the message.
func Want(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
