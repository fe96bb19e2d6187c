package idcsetup

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const (
	adminPolicy = "arn:aws:iam::aws:policy/AdministratorAccess"
	powerPolicy = "arn:aws:iam::aws:policy/PowerUserAccess"
	userInline  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*"}]}`
)

func testSpec() Spec {
	return Spec{
		IdentityStoreID: "d-0000000000",
		InstanceArn:     "arn:aws:sso:::instance/ssoins-1",
		Groups: []GroupSpec{
			{Role: "Admin", DisplayName: "dev_IsbAdmins"},
			{Role: "Manager", DisplayName: "dev_IsbManagers"},
			{Role: "User", DisplayName: "dev_IsbUsers"},
		},
		PermissionSets: []PermissionSetSpec{
			{Role: "Admin", Name: "dev_IsbAdminsPS", SessionDuration: "PT4H", ManagedPolicyArns: []string{adminPolicy}},
			{Role: "User", Name: "dev_IsbUsersPS", ManagedPolicyArns: []string{powerPolicy}, InlinePolicy: userInline},
		},
	}
}

func TestEnsure(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// setup prepares the fake (and may run Ensure once first).
		setup func(t *testing.T, f *fakeIDC)
		spec  func() Spec
		// wantCalls are the mutating calls of the Ensure under test.
		wantCalls []string
	}{
		{
			name:  "an empty instance gets every group and permission set",
			setup: func(*testing.T, *fakeIDC) {},
			spec:  testSpec,
			wantCalls: []string{
				"CreateGroup dev_IsbAdmins", "CreateGroup dev_IsbManagers", "CreateGroup dev_IsbUsers",
				"CreatePermissionSet dev_IsbAdminsPS", "Attach dev_IsbAdminsPS " + adminPolicy,
				"CreatePermissionSet dev_IsbUsersPS", "Attach dev_IsbUsersPS " + powerPolicy,
				"PutInline dev_IsbUsersPS",
			},
		},
		{
			name:      "a second run finds everything and changes nothing",
			setup:     ensureOnce,
			spec:      testSpec,
			wantCalls: nil,
		},
		{
			name: "a group created concurrently is found after the conflict",
			setup: func(_ *testing.T, f *fakeIDC) {
				f.conflictOnCreate["dev_IsbManagers"] = true
			},
			spec:      func() Spec { s := testSpec(); s.Groups = s.Groups[1:2]; s.PermissionSets = nil; return s },
			wantCalls: []string{"CreateGroup dev_IsbManagers"},
		},
		{
			name: "a permission set created concurrently is found after the conflict",
			setup: func(_ *testing.T, f *fakeIDC) {
				f.conflictOnCreate["dev_IsbAdminsPS"] = true
			},
			spec: func() Spec {
				s := testSpec()
				s.Groups = nil
				s.PermissionSets = s.PermissionSets[:1]
				return s
			},
			wantCalls: []string{"CreatePermissionSet dev_IsbAdminsPS", "Attach dev_IsbAdminsPS " + adminPolicy},
		},
		{
			name:  "changed policies are converged and re-provisioned",
			setup: ensureOnce,
			spec: func() Spec {
				s := testSpec()
				s.PermissionSets[1].ManagedPolicyArns = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
				s.PermissionSets[1].InlinePolicy = ""
				return s
			},
			wantCalls: []string{
				"Attach dev_IsbUsersPS arn:aws:iam::aws:policy/ReadOnlyAccess",
				"Detach dev_IsbUsersPS " + powerPolicy,
				"DeleteInline dev_IsbUsersPS",
				"Provision dev_IsbUsersPS",
			},
		},
		{
			name:  "a changed session duration updates and re-provisions",
			setup: ensureOnce,
			spec: func() Spec {
				s := testSpec()
				s.PermissionSets[0].SessionDuration = "PT1H"
				return s
			},
			wantCalls: []string{"UpdatePermissionSet dev_IsbAdminsPS", "Provision dev_IsbAdminsPS"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			tc.setup(t, f)
			f.calls = nil
			spec := tc.spec()
			res, err := New(f, f).Ensure(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Join(f.calls, "\n"), strings.Join(tc.wantCalls, "\n"); got != want {
				t.Errorf("calls:\n%s\nwant:\n%s", got, want)
			}
			for _, g := range spec.Groups {
				if res.GroupIDs[g.Role] != f.groups[g.DisplayName] || res.GroupIDs[g.Role] == "" {
					t.Errorf("group %s: id %q, store has %q", g.Role, res.GroupIDs[g.Role], f.groups[g.DisplayName])
				}
			}
			for _, p := range spec.PermissionSets {
				s, ok := f.sets[res.PermissionSetArns[p.Role]]
				if !ok || aws.ToString(s.ps.Name) != p.Name {
					t.Errorf(
						"permission set %s: arn %q does not name %s",
						p.Role,
						res.PermissionSetArns[p.Role],
						p.Name,
					)
				}
				if aws.ToString(s.ps.SessionDuration) == "" {
					t.Errorf("permission set %s has no session duration", p.Name)
				}
			}
		})
	}
}

func ensureOnce(t *testing.T, f *fakeIDC) {
	t.Helper()
	if _, err := New(f, f).Ensure(context.Background(), testSpec()); err != nil {
		t.Fatal(err)
	}
}

func TestEnsureRejectsAnInvalidSpecBeforeCallingAnything(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Spec)
	}{
		{"missing identity store", func(s *Spec) { s.IdentityStoreID = "" }},
		{"group without display name", func(s *Spec) { s.Groups[0].DisplayName = "" }},
		{"duplicate permission set role", func(s *Spec) { s.PermissionSets[1].Role = "Admin" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			spec := testSpec()
			tc.edit(&spec)
			if _, err := New(f, f).Ensure(context.Background(), spec); err == nil {
				t.Fatal("want an error")
			}
			if len(f.calls) != 0 {
				t.Errorf("calls made: %v", f.calls)
			}
		})
	}
}

func TestEveryPermissionSetItCreatesCarriesTheSpecTags(t *testing.T) {
	f := newFake()
	spec := testSpec()
	spec.Tags = map[string]string{"isb:namespace": "dev"}
	if _, err := New(f, f).Ensure(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	if len(f.sets) != len(spec.PermissionSets) {
		t.Fatalf("%d permission sets, want %d", len(f.sets), len(spec.PermissionSets))
	}
	for _, s := range f.sets {
		if len(s.tags) != 1 || aws.ToString(s.tags[0].Key) != "isb:namespace" ||
			aws.ToString(s.tags[0].Value) != "dev" {
			t.Errorf("permission set %s created with tags %v, want isb:namespace=dev", aws.ToString(s.ps.Name), s.tags)
		}
	}
}
