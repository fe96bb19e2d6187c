package stacks

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/isb-go/isb/infra/internal/hub"
)

// hopArn is the ARN of the hub's hop role for target in the test
// deployment.
func hopArn(target string) string {
	return hub.HopRoleArn(testCfg.HubAccountID, testCfg.Namespace, target)
}

// grantedHop is hopArn as grantsOf lists a resource (JSON-quoted).
func grantedHop(target string) string { return fmt.Sprintf("%q", hopArn(target)) }

// onlyHop is the trust policy condition that lets only the hub's hop for
// target assume a role.
func onlyHop(target string) props {
	return props{"ArnEquals": props{"aws:PrincipalArn": hopArn(target)}}
}

// resource is one template resource as plain JSON.
type resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
}

// resources returns the resources of a stack's template by logical id.
func resources(t *testing.T, base string) map[string]resource {
	t.Helper()
	raw, err := json.Marshal(template(t, base).ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]resource `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl.Resources
}

// ofType returns the logical ids of the resources of one type, sorted.
func ofType(all map[string]resource, typ string) []string {
	var ids []string
	for id, r := range all {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// getAttTarget returns the logical id in {"Fn::GetAtt": [id, attr]} or
// {"Ref": id}, or "".
func getAttTarget(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) > 0 {
		s, _ := ga[0].(string)
		return s
	}
	s, _ := m["Ref"].(string)
	return s
}

// statements returns every policy statement of the IAM roles and policies
// of a template: inline role policies and AWS::IAM::Policy documents.
func statements(all map[string]resource) []map[string]any {
	var out []map[string]any
	add := func(doc any) {
		d, _ := doc.(map[string]any)
		for _, s := range asList(d["Statement"]) {
			out = append(out, s.(map[string]any))
		}
	}
	for _, r := range all {
		switch r.Type {
		case "AWS::IAM::Role":
			for _, p := range asList(r.Properties["Policies"]) {
				add(p.(map[string]any)["PolicyDocument"])
			}
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			add(r.Properties["PolicyDocument"])
		}
	}
	return out
}

func asList(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case nil:
		return nil
	default:
		return []any{t}
	}
}

// actions returns a statement's actions as strings.
func actions(st map[string]any) []string {
	var out []string
	for _, a := range asList(st["Action"]) {
		out = append(out, a.(string))
	}
	return out
}

// assertNoWildcardActions fails for any allowed action that is "*" or a
// whole-service wildcard, except the ones listed (with the reason in the
// caller's code).
func assertNoWildcardActions(t *testing.T, all map[string]resource, allowed ...string) {
	t.Helper()
	for _, st := range statements(all) {
		if st["Effect"] != "Allow" {
			continue
		}
		for _, a := range actions(st) {
			if (a == "*" || strings.HasSuffix(a, ":*")) && !contains(allowed, a) {
				t.Errorf("statement %v allows wildcard action %q", st["Sid"], a)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// sameSet reports whether a and b hold the same strings, ignoring order
// and repeats.
func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
