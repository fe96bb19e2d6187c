package lifecycle_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/lifecycle"
	"github.com/isb-go/isb/common/names"
)

// acts reports whether the service acts on ev: a service with no
// dependencies returns nil, touching nothing, for an event it ignores, and
// panics on the first dependency it reaches for one it handles.
func acts(ev events.Event) (acted bool) {
	defer func() {
		if recover() != nil {
			acted = true
		}
	}()
	return lifecycle.New(lifecycle.Deps{}).Handle(context.Background(), ev) != nil
}

// The bus rule routes names.LifecycleDetailTypes to the lifecycle manager's
// queue; the manager must act on exactly those, or an event is either
// routed and dropped or handled and never delivered.
func TestTheLifecycleManagerActsOnExactlyTheDetailTypesRoutedToIt(t *testing.T) {
	var handled []string
	for _, dt := range names.DetailTypes {
		detail, err := os.ReadFile(filepath.Join("..", "events", "testdata", dt+".json"))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := events.Decode(dt, detail)
		if err != nil {
			t.Fatalf("fixture %s: %v", dt, err)
		}
		if acts(ev) {
			handled = append(handled, dt)
		}
	}
	routed := slices.Clone(names.LifecycleDetailTypes)
	slices.Sort(routed)
	slices.Sort(handled)
	if !slices.Equal(handled, routed) {
		t.Errorf("the lifecycle manager acts on %v,\nthe bus routes it %v", handled, routed)
	}
}
