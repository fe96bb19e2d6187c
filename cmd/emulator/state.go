package emulator

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// StateFormat names the layout of a state file the launcher writes (its
// first line). A file of another format is refused, not half-read.
const StateFormat = "isb-moto-state/1"

// ErrStateFormat is returned for a state file written in another format.
var ErrStateFormat = errors.New("emulator state of another format")

// CheckStateFile reads the first line of a state file and refuses one
// written by another version of the format. A missing file is
// os.ErrNotExist.
func CheckStateFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("emulator: state file: %w", err)
	}
	defer func() { _ = f.Close() }()
	line, err := bufio.NewReader(f).ReadSlice('\n')
	if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
		line = nil
	}
	var header struct {
		Format string `json:"format"`
	}
	if json.Unmarshal(bytes.TrimSpace(line), &header) != nil || header.Format != StateFormat {
		got := header.Format
		if got == "" {
			got = "unknown"
		}
		return fmt.Errorf("emulator: %s holds a state of format %q, this version reads %q; "+
			"remove it (or its directory) to start fresh: %w", path, got, StateFormat, ErrStateFormat)
	}
	return nil
}

// SaveState writes the emulator's whole state, and record (the caller's
// own data, JSON), to the state file the server was started with. The
// launcher writes a temporary file and renames it, so an interrupted save
// leaves the previous state whole.
func (s *Server) SaveState(ctx context.Context, record any) error {
	data, err := json.Marshal(record)
	if err != nil {
		return fmt.Errorf("emulator: encode the record to save: %w", err)
	}
	if err := s.post(ctx, "/_local/state", data); err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	return nil
}

// RestoredState reports whether the emulator started from a saved state
// and, if so, decodes the record saved with it into record.
func (s *Server) RestoredState(ctx context.Context, record any) (bool, error) {
	var buf bytes.Buffer
	if err := s.get(ctx, "/_local/state", &buf); err != nil {
		return false, fmt.Errorf("emulator: read the restored state: %w", err)
	}
	var got struct {
		Restored bool            `json:"restored"`
		Platform json.RawMessage `json:"platform"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		return false, fmt.Errorf("emulator: decode the restored state: %w", err)
	}
	if !got.Restored {
		return false, nil
	}
	if err := json.Unmarshal(got.Platform, record); err != nil {
		return true, fmt.Errorf("emulator: decode the record saved with the state: %w", err)
	}
	return true, nil
}
