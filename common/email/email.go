// Package email holds the one rule for the email addresses that name
// people: an address is normalised once where it enters (sign-in, token
// verification, request bodies, query parameters) and compared exactly
// afterwards. Case folding at comparison time is what let a token for
// "ſam@example.com" (U+017F, which strings.EqualFold folds to "s") act on
// sam@example.com's leases.
package email

import (
	"errors"
	"net/mail"
	"strings"
)

// MaxLength is the longest address accepted, in bytes (RFC 5321's path
// limit less the angle brackets).
const MaxLength = 254

// Refusals of Normalize, as sentences that complete "<field> ...".
var (
	ErrEmpty    = errors.New("must be an email address")
	ErrTooLong  = errors.New("must be at most 254 characters")
	ErrNotASCII = errors.New("must contain only ASCII letters, digits and symbols")
	ErrInvalid  = errors.New("must be an email address such as name@example.com")
)

// Normalize returns the canonical form of an address: lower-case ASCII.
// Anything that is not a bare ASCII address (a display name, spaces,
// non-ASCII characters, more than MaxLength bytes) is refused, never
// repaired.
func Normalize(s string) (string, error) {
	if s == "" {
		return "", ErrEmpty
	}
	if len(s) > MaxLength {
		return "", ErrTooLong
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			if s[i] >= 0x80 {
				return "", ErrNotASCII
			}
			return "", ErrInvalid
		}
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", ErrInvalid
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", ErrInvalid
	}
	return strings.ToLower(s), nil
}

// Canonical reports whether s is already normalised: what a token or a
// stored key must hold.
func Canonical(s string) bool {
	n, err := Normalize(s)
	return err == nil && n == s
}
