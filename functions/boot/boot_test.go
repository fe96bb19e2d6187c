package boot

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"
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

func TestEnvReadsWantedKeysOnlyWhenSet(t *testing.T) {
	set := map[string]string{"NEED": "n", "WANT": "w"}
	f := Function{Needs: []string{"NEED"}, Wants: []string{"WANT", "UNSET"}}
	env, missing := f.Env(func(k string) string { return set[k] })
	if len(missing) != 0 {
		t.Errorf("missing = %v, want none (a wanted key is optional)", missing)
	}
	if want := (Env{"NEED": "n", "WANT": "w"}); !maps.Equal(env, want) {
		t.Errorf("env = %v, want %v", env, want)
	}
}

func TestTheClockIsTheWallClockUnlessTheBuildContextCarriesAnother(t *testing.T) {
	if got := Clock(context.Background())(); time.Since(got) > time.Minute || time.Until(got) > time.Minute {
		t.Errorf("default clock says %s, want about now", got)
	}
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ctx := WithClock(context.Background(), func() time.Time { return fixed })
	if got := Clock(ctx)(); !got.Equal(fixed) {
		t.Errorf("clock handed in the context says %s, want %s", got, fixed)
	}
}
