package auth

import "strings"

// ErrAmbiguous refuses a request carrying several different Authorization
// headers (say "Authorization" and "authorization"): which one a map
// lookup finds is an accident, and the authorizer and the handlers must
// not judge different tokens.
var ErrAmbiguous = invalid("several different Authorization headers")

// AuthorizationHeader returns the one Authorization value of a request,
// given API Gateway's single-value and multi-value header maps, matching
// the name case-insensitively. Repeats of one value are one value; two
// different values are ErrAmbiguous. No header at all is "" (Verify then
// refuses it as ErrNoToken).
func AuthorizationHeader(single map[string]string, multi map[string][]string) (string, error) {
	var found string
	seen := false
	add := func(v string) error {
		if seen && v != found {
			return ErrAmbiguous
		}
		found, seen = v, true
		return nil
	}
	for k, v := range single {
		if strings.EqualFold(k, "Authorization") {
			if err := add(v); err != nil {
				return "", err
			}
		}
	}
	for k, vs := range multi {
		if !strings.EqualFold(k, "Authorization") {
			continue
		}
		for _, v := range vs {
			if err := add(v); err != nil {
				return "", err
			}
		}
	}
	return found, nil
}
