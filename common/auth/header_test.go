package auth

import (
	"errors"
	"testing"
)

func TestAuthorizationHeader(t *testing.T) {
	tests := []struct {
		name   string
		single map[string]string
		multi  map[string][]string
		want   string
		err    error
	}{
		{name: "no header is empty", want: ""},
		{name: "one header is its value", single: map[string]string{"Authorization": "Bearer a"}, want: "Bearer a"},
		{name: "the name matches in any case", single: map[string]string{"aUtHoRiZaTiOn": "Bearer a"}, want: "Bearer a"},
		{name: "the same value under two spellings is that value",
			single: map[string]string{"Authorization": "Bearer a", "authorization": "Bearer a"}, want: "Bearer a"},
		{name: "two spellings with different values are refused",
			single: map[string]string{"Authorization": "Bearer a", "authorization": "Bearer b"}, err: ErrAmbiguous},
		{name: "a multi-value header with two values is refused",
			multi: map[string][]string{"Authorization": {"Bearer a", "Bearer b"}}, err: ErrAmbiguous},
		{name: "a multi-value spelling that differs from the single one is refused",
			single: map[string]string{"Authorization": "Bearer a"},
			multi:  map[string][]string{"authorization": {"Bearer b"}}, err: ErrAmbiguous},
		{name: "the multi-value copy of the single header is fine",
			single: map[string]string{"Authorization": "Bearer a"},
			multi:  map[string][]string{"Authorization": {"Bearer a"}}, want: "Bearer a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Map order is random: ask many times, the answer must not move.
			for range 50 {
				got, err := AuthorizationHeader(tc.single, tc.multi)
				if !errors.Is(err, tc.err) || got != tc.want {
					t.Fatalf("got %q, %v; want %q, %v", got, err, tc.want, tc.err)
				}
				if err != nil && !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("%v is not an ErrInvalidToken", err)
				}
			}
		})
	}
}
