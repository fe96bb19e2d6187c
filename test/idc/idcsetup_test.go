// Package idc_test runs the IDC stack's custom resource logic against the
// emulator's IAM Identity Center (Identity Store and SSO Admin) over HTTP.
package idc_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/isb-go/isb/functions/idc-configurer/idcsetup"
	"github.com/isb-go/isb/test/emulator"
)

func TestEnsureCreatesThenFindsGroupsAndPermissionSets(t *testing.T) {
	ctx := context.Background()
	cfg := emulator.Config(t)
	sso, store := ssoadmin.NewFromConfig(cfg), identitystore.NewFromConfig(cfg)
	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) == 0 {
		t.Fatalf("the emulator has no SSO instance: %v", err)
	}
	spec := idcsetup.Spec{
		IdentityStoreID: aws.ToString(inst.Instances[0].IdentityStoreId),
		InstanceArn:     aws.ToString(inst.Instances[0].InstanceArn),
		Groups: []idcsetup.GroupSpec{
			{Role: "Admin", DisplayName: "test_IsbAdmins"},
			{Role: "Manager", DisplayName: "test_IsbManagers"},
			{Role: "User", DisplayName: "test_IsbUsers"},
		},
		PermissionSets: []idcsetup.PermissionSetSpec{
			{Role: "Admin", Name: "test_IsbAdminsPS", SessionDuration: "PT4H",
				ManagedPolicyArns: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
			{Role: "User", Name: "test_IsbUsersPS", SessionDuration: "PT8H",
				ManagedPolicyArns: []string{"arn:aws:iam::aws:policy/PowerUserAccess"},
				InlinePolicy:      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`},
		},
		// The permission sets are created tagged (the configurer's role may
		// change only tagged ones).
		Tags: map[string]string{"isb:namespace": "test"},
	}
	svc := idcsetup.New(store, sso)

	first, err := svc.Ensure(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	second, err := svc.Ensure(ctx, spec)
	if err != nil {
		t.Fatalf("second Ensure: %v", err)
	}
	t.Run("a second run finds what the first created", func(t *testing.T) {
		for role, id := range first.GroupIDs {
			if second.GroupIDs[role] != id {
				t.Errorf("group %s: %s then %s", role, id, second.GroupIDs[role])
			}
		}
		for role, arn := range first.PermissionSetArns {
			if second.PermissionSetArns[role] != arn {
				t.Errorf("permission set %s: %s then %s", role, arn, second.PermissionSetArns[role])
			}
		}
	})
	t.Run("each group and permission set exists exactly once", func(t *testing.T) {
		groups, err := store.ListGroups(
			ctx,
			&identitystore.ListGroupsInput{IdentityStoreId: aws.String(spec.IdentityStoreID)},
		)
		if err != nil {
			t.Fatal(err)
		}
		if len(groups.Groups) != 3 || len(first.GroupIDs) != 3 {
			t.Fatalf("%d groups in the store, %d in the result; want 3", len(groups.Groups), len(first.GroupIDs))
		}
		sets, err := sso.ListPermissionSets(
			ctx,
			&ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(spec.InstanceArn)},
		)
		if err != nil {
			t.Fatal(err)
		}
		if len(sets.PermissionSets) != 2 {
			t.Fatalf("%d permission sets, want 2", len(sets.PermissionSets))
		}
	})
	t.Run("the permission sets carry their policies", func(t *testing.T) {
		arn := first.PermissionSetArns["User"]
		managed, err := sso.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{
			InstanceArn: aws.String(spec.InstanceArn), PermissionSetArn: aws.String(arn)})
		if err != nil || len(managed.AttachedManagedPolicies) != 1 ||
			aws.ToString(managed.AttachedManagedPolicies[0].Arn) != "arn:aws:iam::aws:policy/PowerUserAccess" {
			t.Fatalf("managed policies = %+v, %v", managed, err)
		}
		inline, err := sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{
			InstanceArn: aws.String(spec.InstanceArn), PermissionSetArn: aws.String(arn)})
		if err != nil || aws.ToString(inline.InlinePolicy) == "" {
			t.Fatalf("inline policy = %v, %v", inline, err)
		}
	})
}
