package notify_test

import (
	"context"
	"testing"

	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

func TestDeliveryStore(t *testing.T) {
	ctx := context.Background()
	d := fixture.Store(t, emulator.Config(t)).Deliveries()
	sent, err := d.Sent(ctx, "k#0")
	if err != nil || sent {
		t.Fatalf("Sent before any mark = %v, %v; want false, nil", sent, err)
	}
	if err := d.MarkSent(ctx, "k#0", t0); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkSent(ctx, "k#0", t0.Add(1)); err != nil {
		t.Errorf("marking a key twice failed: %v", err)
	}
	for key, want := range map[string]bool{"k#0": true, "k#1": false} {
		sent, err := d.Sent(ctx, key)
		if err != nil || sent != want {
			t.Errorf("Sent(%q) = %v, %v; want %v, nil", key, sent, err, want)
		}
	}
}
