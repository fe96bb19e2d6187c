package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckSHA256RefusesAnyOtherBinary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aws-nuke")
	if err := os.WriteFile(path, []byte("pinned"), 0o755); err != nil {
		t.Fatal(err)
	}
	const want = "c3a7c4bfcf0e1b7ea55fd7dbe3f1b4a4b8c97ba1d2a27ce0a7c4da8c7cb71a5b" // not the file's
	if err := checkSHA256(path, want); err == nil || !strings.Contains(err.Error(), "want the pinned") {
		t.Errorf("checkSHA256(other) = %v, want a refusal", err)
	}
	// sha256("pinned")
	if err := checkSHA256(path, "3fab5c181bd28a09b64397df76ae2bfaf1eac182979b5fdb7a342858004f36af"); err != nil {
		t.Errorf("checkSHA256(pinned) = %v, want nil", err)
	}
}
