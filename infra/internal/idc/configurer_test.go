package idc

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/isb-go/isb/infra/internal/config"
)

var update = flag.Bool("update", false, "rewrite testdata/spec.json")

// TestSpecGolden pins the JSON the custom resource sends to the
// idc-configurer function. The function's tests decode the same file
// strictly, so a field renamed on one side fails a test on the other.
func TestSpecGolden(t *testing.T) {
	cfg, err := config.Load(config.FromContextAndEnv(func(key string) any {
		if key == "namespace" {
			return "dev"
		}
		return nil
	}, nil))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(DefaultSpec(cfg), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "spec.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if string(got) != string(want) {
		t.Errorf("spec changed; if intended, run go test ./internal/idc -update\n got: %s\nwant: %s", got, want)
	}
}
