package idcsetup

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

// fakeIDC is an in-memory identity store and SSO instance that records
// the mutating calls it receives.
type fakeIDC struct {
	groups   map[string]string // display name → id
	sets     map[string]*fakeSet
	order    []string // permission set ARNs in creation order
	calls    []string
	pageSize int
	// conflictOnCreate makes the next create of that name fail with a
	// ConflictException after creating it, as a concurrent creator would.
	conflictOnCreate map[string]bool
	next             int
}

type fakeSet struct {
	ps       ssotypes.PermissionSet
	managed  []string
	inline   string
	provided int
	tags     []ssotypes.Tag
}

func newFake() *fakeIDC {
	return &fakeIDC{
		groups:           map[string]string{},
		sets:             map[string]*fakeSet{},
		pageSize:         1,
		conflictOnCreate: map[string]bool{},
	}
}

func (f *fakeIDC) id(prefix string) string { f.next++; return fmt.Sprintf("%s-%04d", prefix, f.next) }

func (f *fakeIDC) GetGroupId(
	_ context.Context,
	in *identitystore.GetGroupIdInput,
	_ ...func(*identitystore.Options),
) (*identitystore.GetGroupIdOutput, error) {
	ua := in.AlternateIdentifier.(*istypes.AlternateIdentifierMemberUniqueAttribute).Value
	raw, err := ua.AttributeValue.MarshalSmithyDocument()
	if err != nil {
		return nil, err
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil {
		return nil, err
	}
	if aws.ToString(ua.AttributePath) != "displayName" {
		return nil, fmt.Errorf("unexpected attribute path %q", aws.ToString(ua.AttributePath))
	}
	if id, ok := f.groups[name]; ok {
		return &identitystore.GetGroupIdOutput{GroupId: aws.String(id)}, nil
	}
	return nil, &istypes.ResourceNotFoundException{Message: aws.String("no group " + name)}
}

func (f *fakeIDC) CreateGroup(
	_ context.Context,
	in *identitystore.CreateGroupInput,
	_ ...func(*identitystore.Options),
) (*identitystore.CreateGroupOutput, error) {
	name := aws.ToString(in.DisplayName)
	f.calls = append(f.calls, "CreateGroup "+name)
	if _, ok := f.groups[name]; ok {
		return nil, &istypes.ConflictException{Message: aws.String("exists")}
	}
	f.groups[name] = f.id("group")
	if f.conflictOnCreate[name] {
		delete(f.conflictOnCreate, name)
		return nil, &istypes.ConflictException{Message: aws.String("concurrent")}
	}
	return &identitystore.CreateGroupOutput{GroupId: aws.String(f.groups[name])}, nil
}

func (f *fakeIDC) ListPermissionSets(
	_ context.Context,
	in *ssoadmin.ListPermissionSetsInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.ListPermissionSetsOutput, error) {
	start := 0
	if in.NextToken != nil {
		fmt.Sscanf(*in.NextToken, "%d", &start)
	}
	end := min(start+f.pageSize, len(f.order))
	out := &ssoadmin.ListPermissionSetsOutput{PermissionSets: slices.Clone(f.order[start:end])}
	if end < len(f.order) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func (f *fakeIDC) set(arn *string) (*fakeSet, error) {
	s, ok := f.sets[aws.ToString(arn)]
	if !ok {
		return nil, &ssotypes.ResourceNotFoundException{Message: aws.String("no permission set")}
	}
	return s, nil
}

func (f *fakeIDC) DescribePermissionSet(
	_ context.Context,
	in *ssoadmin.DescribePermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.DescribePermissionSetOutput, error) {
	s, err := f.set(in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	ps := s.ps
	return &ssoadmin.DescribePermissionSetOutput{PermissionSet: &ps}, nil
}

func (f *fakeIDC) CreatePermissionSet(
	_ context.Context,
	in *ssoadmin.CreatePermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.CreatePermissionSetOutput, error) {
	name := aws.ToString(in.Name)
	f.calls = append(f.calls, "CreatePermissionSet "+name)
	if in.SessionDuration == nil {
		return nil, fmt.Errorf("CreatePermissionSet without SessionDuration")
	}
	for _, s := range f.sets {
		if aws.ToString(s.ps.Name) == name {
			return nil, &ssotypes.ConflictException{Message: aws.String("exists")}
		}
	}
	arn := "arn:aws:sso:::permissionSet/ssoins-1/" + f.id("ps")
	s := &fakeSet{
		ps: ssotypes.PermissionSet{
			Name:             in.Name,
			Description:      in.Description,
			SessionDuration:  in.SessionDuration,
			PermissionSetArn: aws.String(arn),
		},
		tags: in.Tags,
	}
	f.sets[arn] = s
	f.order = append(f.order, arn)
	if f.conflictOnCreate[name] {
		delete(f.conflictOnCreate, name)
		return nil, &ssotypes.ConflictException{Message: aws.String("concurrent")}
	}
	ps := s.ps
	return &ssoadmin.CreatePermissionSetOutput{PermissionSet: &ps}, nil
}

func (f *fakeIDC) UpdatePermissionSet(
	_ context.Context,
	in *ssoadmin.UpdatePermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.UpdatePermissionSetOutput, error) {
	s, err := f.set(in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	f.calls = append(f.calls, "UpdatePermissionSet "+aws.ToString(s.ps.Name))
	s.ps.Description, s.ps.SessionDuration = in.Description, in.SessionDuration
	return &ssoadmin.UpdatePermissionSetOutput{}, nil
}

func (f *fakeIDC) ListManagedPoliciesInPermissionSet(
	_ context.Context,
	in *ssoadmin.ListManagedPoliciesInPermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.ListManagedPoliciesInPermissionSetOutput, error) {
	s, err := f.set(in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	out := &ssoadmin.ListManagedPoliciesInPermissionSetOutput{}
	for _, arn := range s.managed {
		out.AttachedManagedPolicies = append(
			out.AttachedManagedPolicies,
			ssotypes.AttachedManagedPolicy{Arn: aws.String(arn)},
		)
	}
	return out, nil
}

func (f *fakeIDC) AttachManagedPolicyToPermissionSet(
	_ context.Context,
	in *ssoadmin.AttachManagedPolicyToPermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.AttachManagedPolicyToPermissionSetOutput, error) {
	s, err := f.set(in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	f.calls = append(f.calls, "Attach "+aws.ToString(s.ps.Name)+" "+aws.ToString(in.ManagedPolicyArn))
	s.managed = append(s.managed, aws.ToString(in.ManagedPolicyArn))
	return &ssoadmin.AttachManagedPolicyToPermissionSetOutput{}, nil
}

func (f *fakeIDC) DetachManagedPolicyFromPermissionSet(
	_ context.Context,
	in *ssoadmin.DetachManagedPolicyFromPermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.DetachManagedPolicyFromPermissionSetOutput, error) {
	s, err := f.set(in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	f.calls = append(f.calls, "Detach "+aws.ToString(s.ps.Name)+" "+aws.ToString(in.ManagedPolicyArn))
	s.managed = slices.DeleteFunc(s.managed, func(a string) bool { return a == aws.ToString(in.ManagedPolicyArn) })
	return &ssoadmin.DetachManagedPolicyFromPermissionSetOutput{}, nil
}

func (f *fakeIDC) GetInlinePolicyForPermissionSet(
	_ context.Context,
	in *ssoadmin.GetInlinePolicyForPermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error) {
	s, err := f.set(in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	return &ssoadmin.GetInlinePolicyForPermissionSetOutput{InlinePolicy: aws.String(s.inline)}, nil
}

func (f *fakeIDC) PutInlinePolicyToPermissionSet(
	_ context.Context,
	in *ssoadmin.PutInlinePolicyToPermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.PutInlinePolicyToPermissionSetOutput, error) {
	s, err := f.set(in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	f.calls = append(f.calls, "PutInline "+aws.ToString(s.ps.Name))
	s.inline = aws.ToString(in.InlinePolicy)
	return &ssoadmin.PutInlinePolicyToPermissionSetOutput{}, nil
}

func (f *fakeIDC) DeleteInlinePolicyFromPermissionSet(
	_ context.Context,
	in *ssoadmin.DeleteInlinePolicyFromPermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.DeleteInlinePolicyFromPermissionSetOutput, error) {
	s, err := f.set(in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	f.calls = append(f.calls, "DeleteInline "+aws.ToString(s.ps.Name))
	s.inline = ""
	return &ssoadmin.DeleteInlinePolicyFromPermissionSetOutput{}, nil
}

func (f *fakeIDC) ProvisionPermissionSet(
	_ context.Context,
	in *ssoadmin.ProvisionPermissionSetInput,
	_ ...func(*ssoadmin.Options),
) (*ssoadmin.ProvisionPermissionSetOutput, error) {
	s, err := f.set(in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	if in.TargetType != ssotypes.ProvisionTargetTypeAllProvisionedAccounts {
		return nil, fmt.Errorf("unexpected target type %s", in.TargetType)
	}
	f.calls = append(f.calls, "Provision "+aws.ToString(s.ps.Name))
	s.provided++
	return &ssoadmin.ProvisionPermissionSetOutput{}, nil
}

var (
	_ IdentityStore = (*fakeIDC)(nil)
	_ SSOAdmin      = (*fakeIDC)(nil)
)
