package boot

import (
	"slices"
	"testing"
)

func TestLookupNamesEveryMissingKey(t *testing.T) {
	set := map[string]string{"A": "1", "C": "3"}
	env, missing := Lookup(func(k string) string { return set[k] }, "A", "B", "C", "D")
	if env["A"] != "1" || env["C"] != "3" {
		t.Errorf("env = %v", env)
	}
	if !slices.Equal(missing, []string{"B", "D"}) {
		t.Errorf("missing = %v, want [B D]", missing)
	}
}
