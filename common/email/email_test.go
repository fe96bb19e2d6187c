package email

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            error
	}{
		{"a lower-case address is kept", "sam@example.com", "sam@example.com", nil},
		{"upper case is lowered", "Sam@Example.COM", "sam@example.com", nil},
		{"plus and dots are kept", "sam.o+ci@mail.example.com", "sam.o+ci@mail.example.com", nil},
		{"a long s (U+017F) is refused", "ſam@example.com", "", ErrNotASCII},
		{"a Kelvin sign (U+212A) is refused", "\u212aate@example.com", "", ErrNotASCII},
		{"a non-ASCII domain is refused", "sam@exämple.com", "", ErrNotASCII},
		{"an empty address is refused", "", "", ErrEmpty},
		{"a display name is refused", "Sam <sam@example.com>", "", ErrInvalid},
		{"surrounding spaces are refused", " sam@example.com", "", ErrInvalid},
		{"no at sign is refused", "sam.example.com", "", ErrInvalid},
		{"two at signs are refused", "sam@x@example.com", "", ErrInvalid},
		{"a domain without a dot is refused", "sam@localhost", "", ErrInvalid},
		{"an empty local part is refused", "@example.com", "", ErrInvalid},
		{"a control character is refused", "sam\x00@example.com", "", ErrInvalid},
		{"255 bytes are refused", strings.Repeat("a", 243) + "@example.com", "", ErrTooLong},
		{
			"254 bytes are accepted",
			strings.Repeat(
				"a",
				64,
			) + "@" + strings.Repeat(
				"b",
				63,
			) + "." + strings.Repeat(
				"c",
				63,
			) + "." + strings.Repeat(
				"d",
				57,
			) + ".com",
			strings.Repeat(
				"a",
				64,
			) + "@" + strings.Repeat(
				"b",
				63,
			) + "." + strings.Repeat(
				"c",
				63,
			) + "." + strings.Repeat(
				"d",
				57,
			) + ".com",
			nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
			}
			if err == nil && !Canonical(got) {
				t.Errorf("the result %q is not canonical", got)
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"sam@example.com", "ſam@example.com", "A@B.C", "\"a b\"@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Normalize(s)
		if err != nil {
			return
		}
		if len(n) > MaxLength || n != strings.ToLower(n) {
			t.Fatalf("Normalize(%q) = %q", s, n)
		}
		for _, r := range n {
			if r > 0x7e {
				t.Fatalf("Normalize(%q) = %q is not ASCII", s, n)
			}
		}
		if again, err := Normalize(n); err != nil || again != n {
			t.Fatalf("Normalize is not idempotent on %q: %q, %v", n, again, err)
		}
	})
}
