// Package scp holds the five service control policies of the sandbox
// account pool as JSON files, and renders them for one deployment.
//
// The files are plain IAM policy JSON with three placeholders:
//
//   - %NAMESPACE% inside strings: the deployment namespace.
//   - %ADMIN_PERMISSION_SET% inside strings: the administrators' permission
//     set, whose SSO role is exempt like the ISB roles.
//   - "%MANAGED_REGIONS%" as a whole string value: replaced by the list of
//     managed regions.
//
// Edit the JSON files, not generated output; TestPolicies checks that
// every file renders, stays under the Organizations size limit and leaves
// no placeholder behind.
package scp

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed *.json
var files embed.FS

// Policy file names (without .json).
const (
	NukeSupportedServices = "nuke-supported-services"
	Restrictions          = "restrictions"
	ProtectControlPlane   = "protect-control-plane"
	LimitRegions          = "limit-regions"
	WriteProtection       = "write-protection"
)

// All lists every policy, in attachment order.
var All = []string{NukeSupportedServices, Restrictions, ProtectControlPlane, LimitRegions, WriteProtection}

// MaxSize is the Organizations limit on a service control policy, in
// characters of the minified document.
const MaxSize = 5120

// Placeholders.
const (
	placeholderNamespace      = "%NAMESPACE%"
	placeholderAdminPS        = "%ADMIN_PERMISSION_SET%"
	placeholderManagedRegions = "%MANAGED_REGIONS%"
)

// Vars are the values substituted into the policies.
type Vars struct {
	Namespace          string
	AdminPermissionSet string
	ManagedRegions     []string
}

// Render returns the policy document of one file with the placeholders
// substituted, ready for CfnPolicy.Content.
func Render(name string, v Vars) (map[string]any, error) {
	raw, err := files.ReadFile(name + ".json")
	if err != nil {
		return nil, fmt.Errorf("scp %s: %w", name, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("scp %s: %w", name, err)
	}
	regions := make([]any, 0, len(v.ManagedRegions))
	for _, r := range v.ManagedRegions {
		regions = append(regions, r)
	}
	out := substitute(doc, func(s string) any {
		if s == placeholderManagedRegions {
			return regions
		}
		s = strings.ReplaceAll(s, placeholderNamespace, v.Namespace)
		return strings.ReplaceAll(s, placeholderAdminPS, v.AdminPermissionSet)
	}).(map[string]any)
	min, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("scp %s: %w", name, err)
	}
	if len(min) > MaxSize {
		return nil, fmt.Errorf("scp %s: %d characters minified, over the %d limit", name, len(min), MaxSize)
	}
	if strings.Contains(string(min), "%") {
		return nil, fmt.Errorf("scp %s: unknown placeholder left in %s", name, min)
	}
	return out, nil
}

func substitute(v any, str func(string) any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = substitute(e, str)
		}
		return m
	case []any:
		l := make([]any, 0, len(t))
		for _, e := range t {
			l = append(l, substitute(e, str))
		}
		return l
	case string:
		return str(t)
	default:
		return v
	}
}

// Actions returns the actions of the statement sid of a policy file, for
// identity policies that must deny the same (placeholders do not occur in
// actions).
func Actions(name, sid string) ([]string, error) {
	doc, err := Render(name, Vars{})
	if err != nil {
		return nil, err
	}
	for _, s := range doc["Statement"].([]any) {
		st := s.(map[string]any)
		if st["Sid"] != sid {
			continue
		}
		list, ok := st["Action"].([]any)
		if !ok {
			return nil, fmt.Errorf("scp %s: statement %s has no action list", name, sid)
		}
		out := make([]string, 0, len(list))
		for _, a := range list {
			out = append(out, a.(string))
		}
		return out, nil
	}
	return nil, fmt.Errorf("scp %s: no statement %s", name, sid)
}
