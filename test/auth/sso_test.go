package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/sso/signin"
	"github.com/isb-go/isb/test/emulator"
	"github.com/isb-go/isb/test/fixture"
)

// directory creates the three ISB groups and a few users in the
// emulator's Identity Store and returns the IDC parameter naming them.
func directory(t *testing.T, ids *identitystore.Client, storeID string) config.IdcParam {
	t.Helper()
	ctx := t.Context()
	group := func(name string) string {
		out, err := ids.CreateGroup(
			ctx,
			&identitystore.CreateGroupInput{IdentityStoreId: aws.String(storeID), DisplayName: aws.String(name)},
		)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	p := config.IdcParam{
		IdcAccountID: "123456789012", IdentityStoreID: storeID,
		AdminGroupID: group(
			"isb_IsbAdmins",
		), ManagerGroupID: group("isb_IsbManagers"), UserGroupID: group("isb_IsbUsers"),
	}
	other := group("Payroll")
	user := func(email, display string, groups ...string) {
		out, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{
			IdentityStoreId: aws.String(storeID), UserName: aws.String(email), DisplayName: aws.String(display),
			Name:   &istypes.Name{GivenName: aws.String(display), FamilyName: aws.String("Test")},
			Emails: []istypes.Email{{Value: aws.String(email), Primary: true, Type: aws.String("work")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			if _, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{
				IdentityStoreId: aws.String(storeID), GroupId: aws.String(g), MemberId: &istypes.MemberIdMemberUserId{
					Value: aws.ToString(out.UserId)},
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	user("ada@example.com", "Ada", p.ManagerGroupID, p.UserGroupID, other)
	user("root@example.com", "Root", p.AdminGroupID)
	user("clerk@example.com", "Clerk", other)
	return p
}

func TestIdentityStoreRolesComeFromGroupMembership(t *testing.T) {
	cfg := emulator.Config(t)
	inst, err := ssoadmin.NewFromConfig(cfg).ListInstances(t.Context(), &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) == 0 {
		t.Fatalf("list instances: %v", err)
	}
	ids := identitystore.NewFromConfig(cfg)
	p := directory(t, ids, aws.ToString(inst.Instances[0].IdentityStoreId))
	params := 0
	callers := &signin.LazyCallers{
		Param: func(context.Context) (config.IdcParam, error) { params++; return p, nil },
		Store: func(config.IdcParam) signin.IdentityStore { return ids },
	}
	for _, tc := range []struct {
		email, name string
		roles       []routes.Role
	}{
		{"ada@example.com", "Ada", []routes.Role{routes.Manager, routes.User}},
		{"root@example.com", "Root", []routes.Role{routes.Admin}},
		{"clerk@example.com", "Clerk", nil},
	} {
		t.Run(tc.email, func(t *testing.T) {
			c, err := callers.Caller(t.Context(), tc.email)
			if err != nil {
				t.Fatal(err)
			}
			if c.Email != tc.email || c.Name != tc.name || len(c.Roles) != len(tc.roles) {
				t.Fatalf("caller = %+v, want roles %v", c, tc.roles)
			}
			for i := range tc.roles {
				if c.Roles[i] != tc.roles[i] {
					t.Fatalf("roles = %v, want %v", c.Roles, tc.roles)
				}
			}
		})
	}
	if _, err := callers.Caller(t.Context(), "eve@example.com"); !errors.Is(err, signin.ErrUnknownUser) {
		t.Errorf("unknown user: err = %v", err)
	}
	if params != 1 {
		t.Errorf("the IDC parameter was read %d times, want once", params)
	}
}

const idpMetadata = `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/abc">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/abc"/>
  </IDPSSODescriptor>
</EntityDescriptor>`

func TestIdPMetadataIsReadFromItsSecret(t *testing.T) {
	sm := secretsmanager.NewFromConfig(emulator.Config(t))
	const name = "isb-test-IdpMetadata"
	if _, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name),
		SecretString: aws.String("Paste the IAM Identity Center SAML metadata here")}); err != nil {
		t.Fatal(err)
	}
	clock := &fixture.Clock{T: time.Now()}
	src := signin.NewSecretMetadata(sm, name, clock.Now)
	if _, err := src.Metadata(t.Context()); err == nil {
		t.Fatal("the placeholder parsed as metadata")
	}
	if _, err := sm.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(name),
		SecretString: aws.String(idpMetadata)}); err != nil {
		t.Fatal(err)
	}
	md, err := src.Metadata(t.Context())
	if err != nil || md.EntityID != "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/abc" {
		t.Fatalf("metadata = %+v, %v", md, err)
	}
	if _, err := sm.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(name),
		ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Metadata(t.Context()); err != nil {
		t.Errorf("cached metadata: %v", err)
	}
	clock.T = clock.T.Add(6 * time.Minute)
	if _, err := src.Metadata(t.Context()); err == nil {
		t.Error("metadata still served long after its secret was deleted")
	}
}
