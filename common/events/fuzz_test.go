package events

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
)

// FuzzDecode checks that Decode never panics, that every error it returns
// is permanent (fault.Invalid), and that whatever it accepts encodes and
// decodes back to the same bytes.
func FuzzDecode(f *testing.F) {
	for _, dt := range names.DetailTypes {
		f.Add(dt, readFixture(f, dt))
	}
	f.Fuzz(func(t *testing.T, detailType string, detail []byte) {
		e, err := Decode(detailType, detail)
		if err != nil {
			if !errors.Is(err, fault.Invalid) {
				t.Fatalf("Decode error %v does not match fault.Invalid", err)
			}
			return
		}
		first, err := Encode(e)
		if err != nil {
			t.Fatalf("Encode of a decoded event: %v", err)
		}
		back, err := Decode(detailType, first)
		if err != nil {
			t.Fatalf("Decode of %s: %v", first, err)
		}
		second, err := Encode(back)
		if err != nil {
			t.Fatalf("Encode again: %v", err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("encoding is not stable:\n%s\n%s", first, second)
		}
	})
}

// FuzzParseEnvelope checks that ParseEnvelope never panics and only
// returns permanent errors.
func FuzzParseEnvelope(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "envelope-*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		f.Add(readFixture(f, strings.TrimSuffix(filepath.Base(path), ".json")))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, _, err := ParseEnvelope(body); err != nil && !errors.Is(err, fault.Invalid) {
			t.Fatalf("ParseEnvelope error %v does not match fault.Invalid", err)
		}
	})
}
