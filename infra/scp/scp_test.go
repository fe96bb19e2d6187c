package scp

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

var vars = Vars{Namespace: "dev", AdminPermissionSet: "dev_IsbAdminsPS", ManagedRegions: []string{"us-east-1", "eu-west-2"}}

func TestPolicies(t *testing.T) {
	for _, name := range All {
		t.Run(name+" renders within the size limit with no placeholder left", func(t *testing.T) {
			doc, err := Render(name, vars)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(doc)
			if !strings.Contains(string(b), "isb-dev-") && name != NukeSupportedServices && name != Restrictions {
				t.Errorf("namespace not substituted: %s", b)
			}
			for _, st := range doc["Statement"].([]any) {
				if st.(map[string]any)["Effect"] != "Deny" {
					t.Errorf("statement %v is not a Deny", st)
				}
			}
		})
	}
}

func TestRegionLimitExemptsGlobalServices(t *testing.T) {
	doc, err := Render(LimitRegions, vars)
	if err != nil {
		t.Fatal(err)
	}
	st := doc["Statement"].([]any)[0].(map[string]any)
	var notAction []string
	for _, a := range st["NotAction"].([]any) {
		notAction = append(notAction, a.(string))
	}
	for _, global := range []string{"iam:*", "organizations:*", "sts:*", "cloudfront:*", "route53:*", "support:*", "budgets:*", "ce:*"} {
		if !slices.Contains(notAction, global) {
			t.Errorf("global service %s is not exempt from the region limit", global)
		}
	}
	got := st["Condition"].(map[string]any)["StringNotEquals"].(map[string]any)["aws:RequestedRegion"]
	if b, _ := json.Marshal(got); string(b) != `["us-east-1","eu-west-2"]` {
		t.Errorf("regions = %s", b)
	}
}

func TestWriteProtectionDeniesEverythingButIsbPrincipals(t *testing.T) {
	doc, err := Render(WriteProtection, vars)
	if err != nil {
		t.Fatal(err)
	}
	st := doc["Statement"].([]any)[0].(map[string]any)
	if st["Action"] != "*" || st["Resource"] != "*" {
		t.Errorf("write protection must deny * on *: %v", st)
	}
	b, _ := json.Marshal(st["Condition"])
	for _, want := range []string{"role/isb-dev-*", "AWSReservedSSO_dev_IsbAdminsPS_*", "stacksets-exec-*"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("exemption %q missing from %s", want, b)
		}
	}
}
