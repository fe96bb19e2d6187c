package config_test

import (
	"testing"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/routes"
)

func TestParseGlobalRejectsEachBadMachineIdentity(t *testing.T) {
	entry := func(s string) string { return "auth:\n  machineIdentities:\n" + s }
	wantRejected(t, config.ParseGlobal, []rejectCase{
		{"a principal that is not an IAM ARN", entry("  - {principal: ci, owner: ci@example.com}\n"),
			"auth.machineIdentities[0].principal"},
		{"an assumed-role session instead of its role",
			entry("  - {principal: 'arn:aws:sts::123456789012:assumed-role/ci/job', owner: ci@example.com}\n"),
			"auth.machineIdentities[0].principal"},
		{"a wildcard account", entry("  - {principal: 'arn:aws:iam::*:role/ci', owner: ci@example.com}\n"),
			"auth.machineIdentities[0].principal"},
		{"an unknown role",
			entry("  - {principal: 'arn:aws:iam::123456789012:role/ci', owner: ci@example.com, role: Root}\n"),
			"auth.machineIdentities[0].role"},
		{"Admin without allowAdmin",
			entry("  - {principal: 'arn:aws:iam::123456789012:role/ci', owner: ci@example.com, role: Admin}\n"),
			"auth.machineIdentities[0].role"},
		{"a missing owner", entry("  - {principal: 'arn:aws:iam::123456789012:role/ci'}\n"),
			"auth.machineIdentities[0].owner"},
		{"an owner that is not a lower-case email",
			entry("  - {principal: 'arn:aws:iam::123456789012:role/ci', owner: CI@Example.com}\n"),
			"auth.machineIdentities[0].owner"},
		{"a negative lease limit",
			entry("  - {principal: 'arn:aws:iam::123456789012:role/ci', owner: ci@example.com, maxLeases: -1}\n"),
			"auth.machineIdentities[0].maxLeases"},
		{"the same principal twice", entry(
			"  - {principal: 'arn:aws:iam::123456789012:role/ci', owner: ci@example.com}\n" +
				"  - {principal: 'arn:aws:iam::123456789012:role/ci', owner: ci2@example.com}\n"),
			"auth.machineIdentities[1].principal"},
	})
}

func TestMachineIdentityDefaultsToUserAndTheGlobalLimit(t *testing.T) {
	g, err := config.ParseGlobal([]byte("auth:\n  machineIdentities:\n" +
		"  - {principal: 'arn:aws:iam::123456789012:role/ci', owner: ci@example.com}\n" +
		"  - {principal: 'arn:aws:iam::123456789012:user/boss', owner: boss@example.com, role: Admin, " +
		"allowAdmin: true, maxLeases: 20}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ci, boss := g.Auth.MachineIdentities[0], g.Auth.MachineIdentities[1]
	if ci.RoleOf() != routes.User || ci.LeaseLimit(g.Leases) != g.Leases.MaxLeasesPerUser {
		t.Errorf("ci: role %s, limit %d; want User and %d", ci.RoleOf(), ci.LeaseLimit(g.Leases),
			g.Leases.MaxLeasesPerUser)
	}
	if boss.RoleOf() != routes.Admin || boss.LeaseLimit(g.Leases) != 20 {
		t.Errorf("boss: role %s, limit %d; want Admin and 20", boss.RoleOf(), boss.LeaseLimit(g.Leases))
	}
}

func TestMachineIdentityMatchesCallers(t *testing.T) {
	g := config.DefaultGlobal()
	g.Auth.MachineIdentities = []config.MachineIdentity{
		{Principal: "arn:aws:iam::111111111111:role/ci", Owner: "ci@example.com"},
		{Principal: "arn:aws:iam::111111111111:role/team/deploy", Owner: "deploy@example.com"},
		{Principal: "arn:aws:iam::111111111111:user/bot", Owner: "bot@example.com"},
		{Principal: "arn:aws:iam::222222222222:role/gh-*", Owner: "gh@example.com"},
	}
	for _, tc := range []struct{ name, arn, owner string }{
		{"an assumed-role session matches its role", "arn:aws:sts::111111111111:assumed-role/ci/build-7",
			"ci@example.com"},
		{"a session of a role with a path matches the role", "arn:aws:sts::111111111111:assumed-role/deploy/x",
			"deploy@example.com"},
		{"an IAM user matches its ARN", "arn:aws:iam::111111111111:user/bot", "bot@example.com"},
		{"a wildcard matches a role name", "arn:aws:sts::222222222222:assumed-role/gh-repo-a/run", "gh@example.com"},
		{"another account's role of the same name does not match",
			"arn:aws:sts::333333333333:assumed-role/ci/build", ""},
		{"a user does not match a role of the same name", "arn:aws:iam::111111111111:user/ci", ""},
		{"a role name that only starts with a mapped one does not match",
			"arn:aws:sts::111111111111:assumed-role/ci-admin/s", ""},
		{"another partition does not match", "arn:aws-cn:sts::111111111111:assumed-role/ci/s", ""},
		{"a non-ARN does not match", "ci", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := g.MachineIdentity(tc.arn)
			if ok != (tc.owner != "") || m.Owner != tc.owner {
				t.Errorf("MachineIdentity(%q) = %q, %v; want %q", tc.arn, m.Owner, ok, tc.owner)
			}
		})
	}
}
