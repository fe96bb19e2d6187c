package routes

import (
	"slices"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, method, path, wantPath string
		params                       map[string]string
	}{
		{"a lease id is a path parameter", "GET", "/leases/abc", "/leases/{leaseId}", map[string]string{"leaseId": "abc"}},
		{"a literal segment beats a parameter", "GET", "/accounts/unregistered", "/accounts/unregistered", map[string]string{}},
		{"an account id is a parameter", "GET", "/accounts/123456789012", "/accounts/{awsAccountId}", map[string]string{"awsAccountId": "123456789012"}},
		{"a trailing slash is ignored", "POST", "/leases/abc/terminate/", "/leases/{leaseId}/terminate", map[string]string{"leaseId": "abc"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, params, ok := Match(tc.method, tc.path)
			if !ok || r.Path != tc.wantPath {
				t.Fatalf("Match = %q, %v", r.Path, ok)
			}
			for k, v := range tc.params {
				if params[k] != v {
					t.Fatalf("params = %v", params)
				}
			}
		})
	}
	for _, miss := range [][2]string{{"DELETE", "/leases"}, {"GET", "/nope"}, {"GET", "/leases/a/b/c"}} {
		if _, _, ok := Match(miss[0], miss[1]); ok {
			t.Errorf("%s %s matched", miss[0], miss[1])
		}
	}
	if got := Methods("/leases/x"); !slices.Equal(got, []string{"GET", "PATCH"}) {
		t.Errorf("Methods(/leases/x) = %v", got)
	}
}

func TestTheTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Table {
		key := r.Method + " " + r.Path
		if seen[key] {
			t.Errorf("%s listed twice", key)
		}
		seen[key] = true
		if r.Public == (len(r.Roles) > 0) {
			t.Errorf("%s must be either public or have roles", key)
		}
		if !slices.Contains(Families, r.Family) {
			t.Errorf("%s has unknown family %q", key, r.Family)
		}
		if (r.Family == Auth) != r.Public {
			t.Errorf("%s: only the auth family is public", key)
		}
	}
}

func TestRoleGrants(t *testing.T) {
	get := func(m, p string) Route { r, _, _ := Match(m, p); return r }
	tests := []struct {
		name  string
		route Route
		roles []Role
		want  bool
	}{
		{"a user may request a lease", get("POST", "/leases"), []Role{User}, true},
		{"a user may terminate (their own) lease", get("POST", "/leases/x/terminate"), []Role{User}, true},
		{"a user may not approve", get("POST", "/leases/x/review"), []Role{User}, false},
		{"a manager may approve", get("POST", "/leases/x/review"), []Role{Manager}, true},
		{"a manager may not register accounts", get("POST", "/accounts"), []Role{Manager}, false},
		{"an admin may register accounts", get("POST", "/accounts"), []Role{Admin}, true},
		{"no roles may call nothing protected", get("GET", "/leases"), nil, false},
		{"anyone may sign in", get("GET", "/auth/login"), nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.route.Allows(tc.roles); got != tc.want {
				t.Fatalf("Allows = %v", got)
			}
		})
	}
}
