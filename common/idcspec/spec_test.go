package idcspec

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	valid := func() Spec {
		return Spec{
			IdentityStoreID: "d-1234567890",
			InstanceArn:     "arn:aws:sso:::instance/ssoins-1",
			Groups:          []GroupSpec{{Role: RoleAdmin, DisplayName: "Admins"}},
			// The same role may key a group and a permission set.
			PermissionSets: []PermissionSetSpec{{Role: RoleAdmin, Name: "Admin"}},
		}
	}
	tests := []struct {
		name   string
		change func(*Spec)
		want   string // part of the error; "" for none
	}{
		{"a complete spec is accepted", func(*Spec) {}, ""},
		{"a spec without an identity store is refused", func(s *Spec) { s.IdentityStoreID = "" }, "required"},
		{"a group without a display name is refused",
			func(s *Spec) { s.Groups[0].DisplayName = "" }, "group {Role:Admin DisplayName: Description:} needs"},
		{"a group role given twice is refused",
			func(s *Spec) { s.Groups = append(s.Groups, GroupSpec{Role: RoleAdmin, DisplayName: "B"}) },
			`group role "Admin" appears twice`},
		{"a permission set without a name is refused",
			func(s *Spec) { s.PermissionSets[0].Name = "" }, "permission set {Role:Admin Name: "},
		{"a permission set role given twice is refused",
			func(s *Spec) {
				s.PermissionSets = append(s.PermissionSets, PermissionSetSpec{Role: RoleAdmin, Name: "B"})
			},
			`permission set role "Admin" appears twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			tc.change(&s)
			err := s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
