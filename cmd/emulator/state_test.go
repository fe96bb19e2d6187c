package emulator

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestTheLauncherWritesTheStateFormatGoChecks(t *testing.T) {
	if !bytes.Contains(launcherSource, []byte(`STATE_FORMAT = "`+StateFormat+`"`)) {
		t.Fatalf("moto_launcher.py does not write the state format %q that CheckStateFile accepts", StateFormat)
	}
}

func TestCheckStateFileAcceptsOnlyItsOwnFormat(t *testing.T) {
	tests := []struct {
		name    string
		content *string // nil: no file
		want    error
	}{
		{name: "a missing file is reported as not existing", want: os.ErrNotExist},
		{name: "a file of this format is accepted", content: ptr(`{"format":"` + StateFormat + `"}` + "\n\x80")},
		{name: "a file of another format is refused", content: ptr(`{"format":"isb-moto-state/2"}` + "\n"),
			want: ErrStateFormat},
		{name: "an empty file is refused", content: ptr(""), want: ErrStateFormat},
		{name: "a file that is not a state is refused", content: ptr("hello\nworld\n"), want: ErrStateFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "emulator.state")
			if tt.content != nil {
				if err := os.WriteFile(path, []byte(*tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := CheckStateFile(path)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("CheckStateFile = %v, want %v", err, tt.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }
