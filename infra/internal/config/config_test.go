package config

import (
	"strings"
	"testing"
)

func lookup(ctx map[string]any, env map[string]string) Lookup {
	return FromContextAndEnv(
		func(k string) any { return ctx[k] },
		func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	)
}

func TestLoadDevDefaults(t *testing.T) {
	c, err := Load(lookup(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != ModeDev || c.IsProd() {
		t.Errorf("mode = %s", c.Mode)
	}
	if c.Namespace != "isb" || c.AdminGroupName != "isb_IsbAdmins" || c.AdminPermissionSetName() != "isb_IsbAdminsPS" {
		t.Errorf("namespace-derived names: %+v", c)
	}
	if len(c.ManagedRegions) != 1 || c.ManagedRegions[0] != c.Region {
		t.Errorf("managed regions default to the region: %v", c.ManagedRegions)
	}
	if c.PoolOrgPath != "o-abcd123456/r-abcd/ou-abcd-11111111" {
		t.Errorf("pool org path = %q, want the dev default under the dev parent r-abcd", c.PoolOrgPath)
	}
	if c.SsoInstanceID() != "ssoins-0000000000000000" {
		t.Errorf("instance id = %s", c.SsoInstanceID())
	}
}

func TestLoadContextWinsOverEnv(t *testing.T) {
	c, err := Load(lookup(
		map[string]any{"hubAccountId": "444444444444", "managedRegions": []any{"eu-west-2", "eu-west-1", "eu-west-2"}, "logRetentionDays": float64(30)},
		map[string]string{"HUB_ACCOUNT_ID": "555555555555", "NAMESPACE": "ignored", "ISB_DEPLOY_NAMESPACE": "dev"},
	))
	if err != nil {
		t.Fatal(err)
	}
	if c.HubAccountID != "444444444444" || c.Namespace != "dev" || c.LogRetentionDays != 30 {
		t.Errorf("got %+v", c)
	}
	if strings.Join(c.ManagedRegions, ",") != "eu-west-2,eu-west-1" {
		t.Errorf("regions = %v (want de-duplicated, in order)", c.ManagedRegions)
	}
}

func TestLoadReadsTheAllowListAsCIDRs(t *testing.T) {
	c, err := Load(lookup(map[string]any{"allowedIpRanges": []any{"203.0.113.0/24", "2001:db8::/32"}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.AllowedIPRanges, ",") != "203.0.113.0/24,2001:db8::/32" {
		t.Errorf("allowed ranges = %v", c.AllowedIPRanges)
	}
	if c, _ := Load(lookup(nil, nil)); len(c.AllowedIPRanges) != 0 {
		t.Errorf("no allow-list by default, got %v", c.AllowedIPRanges)
	}
}

func TestLoadErrorsNameEveryParameter(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  map[string]any
		env  map[string]string
		want []string
	}{
		{
			name: "prod mode requires every account and identifier",
			env:  map[string]string{"DEPLOYMENT_MODE": "prod"},
			want: []string{"hubAccountId", "HUB_ACCOUNT_ID", "orgMgtAccountId", "idcAccountId", "parentOuId", "identityStoreId", "ssoInstanceArn", "region", "poolOrgPath", "POOL_ORG_PATH"},
		},
		{
			name: "malformed values are refused",
			ctx: map[string]any{"hubAccountId": "12345", "parentOuId": "ou-x", "namespace": "Has-Caps", "managedRegions": "eu-west-2,mars-1",
				"logRetentionDays": "45", "deploymentMode": "staging"},
			want: []string{"hubAccountId", "parentOuId", "namespace", "managedRegions", "logRetentionDays", "deploymentMode"},
		},
		{
			name: "the pool's organization path must be o-…/r-…/…/ou-…",
			ctx:  map[string]any{"poolOrgPath": "ou-abcd-11111111/"},
			want: []string{"poolOrgPath", "POOL_ORG_PATH", "is not an organization path"},
		},
		{
			name: "the pool's organization path must pass through the parent OU",
			ctx:  map[string]any{"parentOuId": "ou-abcd-22222222", "poolOrgPath": "o-abcd123456/r-abcd/ou-abcd-11111111"},
			want: []string{"poolOrgPath", "does not pass through the parent OU ou-abcd-22222222"},
		},
		{
			name: "an allowed IP range must be a CIDR",
			env:  map[string]string{"ALLOWED_IP_RANGES": "203.0.113.0/24, 10.0.0.300/8"},
			want: []string{"allowedIpRanges", "ALLOWED_IP_RANGES", "10.0.0.300/8"},
		},
		{
			name: "a production deployment without an allow-list is refused, not opened to every address",
			env:  map[string]string{"DEPLOYMENT_MODE": "prod"},
			want: []string{"allowedIpRanges", "ALLOWED_IP_RANGES", "production deployment needs the API's allow-list"},
		},
		{
			name: "the hub cannot be the management account",
			ctx:  map[string]any{"hubAccountId": "222222222222", "orgMgtAccountId": "222222222222"},
			want: []string{"hub must not be the organization management account"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(lookup(tc.ctx, tc.env))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestProductionNeedsTheAllowListWrittenDown(t *testing.T) {
	prod := map[string]string{"DEPLOYMENT_MODE": "prod", "AWS_REGION": "eu-west-2", "HUB_ACCOUNT_ID": "111111111111",
		"ORG_MGT_ACCOUNT_ID": "222222222222", "IDC_ACCOUNT_ID": "333333333333", "PARENT_OU_ID": "r-abcd",
		"IDENTITY_STORE_ID": "d-0000000000", "SSO_INSTANCE_ARN": "arn:aws:sso:::instance/ssoins-0000000000000000",
		"POOL_ORG_PATH": "o-abcd123456/r-abcd/ou-abcd-11111111"}
	if _, err := Load(lookup(nil, prod)); err == nil || !strings.Contains(err.Error(), "allowedIpRanges") {
		t.Errorf("prod without an allow-list: %v, want an error naming allowedIpRanges", err)
	}
	for _, ranges := range []string{"203.0.113.0/24", "0.0.0.0/0,::/0"} {
		prod["ALLOWED_IP_RANGES"] = ranges
		c, err := Load(lookup(nil, prod))
		if err != nil {
			t.Fatalf("prod with allow-list %s: %v", ranges, err)
		}
		if len(c.AllowedIPRanges) == 0 {
			t.Errorf("allow-list %s not loaded", ranges)
		}
	}
}
