// Package idcsetup creates or finds the Identity Center groups and
// permission sets of an Innovation Sandbox deployment. It is the core of
// the IDC stack's custom resource: every run converges the identity
// store and the SSO instance on a Spec, so running it twice changes
// nothing, and it never deletes a group or a permission set.
package idcsetup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/isb-go/isb/common/idcspec"
)

// DefaultSessionDuration is used when a permission set spec has none.
// CreatePermissionSet is always sent a SessionDuration (the local emulator
// answers a request without one in a shape the SDK cannot decode).
const DefaultSessionDuration = "PT8H"

// Spec is the desired Identity Center configuration (see package idcspec,
// which the IDC stack writes it with).
type Spec = idcspec.Spec

// GroupSpec is one identity store group, found by display name.
type GroupSpec = idcspec.GroupSpec

// PermissionSetSpec is one permission set, found by name.
type PermissionSetSpec = idcspec.PermissionSetSpec

// Result maps each role to what was found or created.
type Result struct {
	GroupIDs          map[string]string
	PermissionSetArns map[string]string
}

// IdentityStore is the part of the Identity Store API the service uses.
type IdentityStore interface {
	GetGroupId(
		ctx context.Context,
		in *identitystore.GetGroupIdInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.GetGroupIdOutput, error)
	CreateGroup(
		ctx context.Context,
		in *identitystore.CreateGroupInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.CreateGroupOutput, error)
}

// SSOAdmin is the part of the SSO Admin API the service uses.
type SSOAdmin interface {
	ssoadmin.ListPermissionSetsAPIClient
	ssoadmin.ListManagedPoliciesInPermissionSetAPIClient
	DescribePermissionSet(
		ctx context.Context,
		in *ssoadmin.DescribePermissionSetInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.DescribePermissionSetOutput, error)
	CreatePermissionSet(
		ctx context.Context,
		in *ssoadmin.CreatePermissionSetInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.CreatePermissionSetOutput, error)
	UpdatePermissionSet(
		ctx context.Context,
		in *ssoadmin.UpdatePermissionSetInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.UpdatePermissionSetOutput, error)
	AttachManagedPolicyToPermissionSet(
		ctx context.Context,
		in *ssoadmin.AttachManagedPolicyToPermissionSetInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.AttachManagedPolicyToPermissionSetOutput, error)
	DetachManagedPolicyFromPermissionSet(
		ctx context.Context,
		in *ssoadmin.DetachManagedPolicyFromPermissionSetInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.DetachManagedPolicyFromPermissionSetOutput, error)
	GetInlinePolicyForPermissionSet(
		ctx context.Context,
		in *ssoadmin.GetInlinePolicyForPermissionSetInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
	PutInlinePolicyToPermissionSet(
		ctx context.Context,
		in *ssoadmin.PutInlinePolicyToPermissionSetInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.PutInlinePolicyToPermissionSetOutput, error)
	DeleteInlinePolicyFromPermissionSet(
		ctx context.Context,
		in *ssoadmin.DeleteInlinePolicyFromPermissionSetInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.DeleteInlinePolicyFromPermissionSetOutput, error)
	ProvisionPermissionSet(
		ctx context.Context,
		in *ssoadmin.ProvisionPermissionSetInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.ProvisionPermissionSetOutput, error)
}

// Service converges Identity Center on a Spec.
type Service struct {
	store IdentityStore
	sso   SSOAdmin
}

// New returns a Service using the given clients.
func New(store IdentityStore, sso SSOAdmin) *Service {
	return &Service{store: store, sso: sso}
}

// Ensure creates what is missing and converges the permission sets'
// policies. A permission set whose policies or settings changed is
// re-provisioned to the accounts it is already provisioned to.
func (s *Service) Ensure(ctx context.Context, spec Spec) (Result, error) {
	if err := spec.Validate(); err != nil {
		return Result{}, fmt.Errorf("invalid spec: %w", err)
	}
	res := Result{GroupIDs: map[string]string{}, PermissionSetArns: map[string]string{}}
	for _, g := range spec.Groups {
		id, err := s.ensureGroup(ctx, spec.IdentityStoreID, g)
		if err != nil {
			return Result{}, fmt.Errorf("group %q: %w", g.DisplayName, err)
		}
		res.GroupIDs[g.Role] = id
	}
	existing, err := s.permissionSetsByName(ctx, spec.InstanceArn)
	if err != nil {
		return Result{}, err
	}
	for _, p := range spec.PermissionSets {
		arn, err := s.ensurePermissionSet(ctx, spec.InstanceArn, p, spec.Tags, existing)
		if err != nil {
			return Result{}, fmt.Errorf("permission set %q: %w", p.Name, err)
		}
		res.PermissionSetArns[p.Role] = arn
	}
	return res, nil
}

func (s *Service) findGroup(ctx context.Context, storeID, name string) (string, error) {
	out, err := s.store.GetGroupId(ctx, &identitystore.GetGroupIdInput{
		IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
			AttributePath:  aws.String("displayName"),
			AttributeValue: document.NewLazyDocument(name),
		}},
	})
	var notFound *istypes.ResourceNotFoundException
	if errors.As(err, &notFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("get group id: %w", err)
	}
	return aws.ToString(out.GroupId), nil
}

func (s *Service) ensureGroup(ctx context.Context, storeID string, g GroupSpec) (string, error) {
	if id, err := s.findGroup(ctx, storeID, g.DisplayName); err != nil || id != "" {
		return id, err
	}
	in := &identitystore.CreateGroupInput{IdentityStoreId: aws.String(storeID), DisplayName: aws.String(g.DisplayName)}
	if g.Description != "" {
		in.Description = aws.String(g.Description)
	}
	out, err := s.store.CreateGroup(ctx, in)
	var conflict *istypes.ConflictException
	if errors.As(err, &conflict) { // created concurrently: find it again
		return s.findGroup(ctx, storeID, g.DisplayName)
	}
	if err != nil {
		return "", fmt.Errorf("create group: %w", err)
	}
	return aws.ToString(out.GroupId), nil
}

// permissionSetsByName lists the instance's permission sets, described.
func (s *Service) permissionSetsByName(
	ctx context.Context,
	instanceArn string,
) (map[string]ssotypes.PermissionSet, error) {
	out := map[string]ssotypes.PermissionSet{}
	pages := ssoadmin.NewListPermissionSetsPaginator(
		s.sso,
		&ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instanceArn)},
	)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list permission sets: %w", err)
		}
		for _, arn := range page.PermissionSets {
			d, err := s.sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{
				InstanceArn: aws.String(instanceArn), PermissionSetArn: aws.String(arn),
			})
			if err != nil {
				return nil, fmt.Errorf("describe permission set %s: %w", arn, err)
			}
			if d.PermissionSet != nil {
				out[aws.ToString(d.PermissionSet.Name)] = *d.PermissionSet
			}
		}
	}
	return out, nil
}

func (s *Service) ensurePermissionSet(
	ctx context.Context,
	instanceArn string,
	p PermissionSetSpec,
	tags map[string]string,
	existing map[string]ssotypes.PermissionSet,
) (string, error) {
	duration := p.SessionDuration
	if duration == "" {
		duration = DefaultSessionDuration
	}
	ps, found := existing[p.Name]
	preexisting := found
	changed := false
	if !found {
		out, err := s.sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{
			InstanceArn:     aws.String(instanceArn),
			Name:            aws.String(p.Name),
			Description:     optional(p.Description),
			SessionDuration: aws.String(duration),
			Tags:            ssoTags(tags),
		})
		var conflict *ssotypes.ConflictException
		switch {
		case errors.As(err, &conflict): // created concurrently
			again, lerr := s.permissionSetsByName(ctx, instanceArn)
			if lerr != nil {
				return "", lerr
			}
			if ps, found = again[p.Name]; !found {
				return "", fmt.Errorf("create reported a conflict but no permission set is named %q: %w", p.Name, err)
			}
		case err != nil:
			return "", fmt.Errorf("create: %w", err)
		default:
			ps = *out.PermissionSet
		}
	} else if aws.ToString(ps.SessionDuration) != duration || aws.ToString(ps.Description) != p.Description {
		if _, err := s.sso.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{
			InstanceArn:      aws.String(instanceArn),
			PermissionSetArn: ps.PermissionSetArn,
			Description:      optional(p.Description),
			SessionDuration:  aws.String(duration),
		}); err != nil {
			return "", fmt.Errorf("update: %w", err)
		}
		changed = true
	}
	arn := aws.ToString(ps.PermissionSetArn)
	policiesChanged, err := s.convergePolicies(ctx, instanceArn, arn, p)
	if err != nil {
		return "", err
	}
	if preexisting && (changed || policiesChanged) {
		// New accounts get the new policies at assignment time; accounts
		// that already have the permission set need a re-provision.
		if _, err := s.sso.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{
			InstanceArn:      aws.String(instanceArn),
			PermissionSetArn: aws.String(arn),
			TargetType:       ssotypes.ProvisionTargetTypeAllProvisionedAccounts,
		}); err != nil {
			return "", fmt.Errorf("provision: %w", err)
		}
	}
	return arn, nil
}

// convergePolicies attaches and detaches managed policies and replaces the
// inline policy so that the permission set matches the spec. It reports
// whether anything changed.
func (s *Service) convergePolicies(ctx context.Context, instanceArn, arn string, p PermissionSetSpec) (bool, error) {
	changed := false
	var attached []string
	pages := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(
		s.sso,
		&ssoadmin.ListManagedPoliciesInPermissionSetInput{
			InstanceArn: aws.String(instanceArn), PermissionSetArn: aws.String(arn),
		},
	)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("list managed policies: %w", err)
		}
		for _, mp := range page.AttachedManagedPolicies {
			attached = append(attached, aws.ToString(mp.Arn))
		}
	}
	for _, want := range p.ManagedPolicyArns {
		if slices.Contains(attached, want) {
			continue
		}
		if _, err := s.sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{
			InstanceArn: aws.String(instanceArn), PermissionSetArn: aws.String(arn), ManagedPolicyArn: aws.String(want),
		}); err != nil {
			return false, fmt.Errorf("attach %s: %w", want, err)
		}
		changed = true
	}
	for _, have := range attached {
		if slices.Contains(p.ManagedPolicyArns, have) {
			continue
		}
		if _, err := s.sso.DetachManagedPolicyFromPermissionSet(ctx,
			&ssoadmin.DetachManagedPolicyFromPermissionSetInput{
				InstanceArn: aws.String(instanceArn), PermissionSetArn: aws.String(arn), ManagedPolicyArn: aws.String(
					have),
			}); err != nil {
			return false, fmt.Errorf("detach %s: %w", have, err)
		}
		changed = true
	}
	inline, err := s.sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{
		InstanceArn: aws.String(instanceArn), PermissionSetArn: aws.String(arn),
	})
	if err != nil {
		return false, fmt.Errorf("get inline policy: %w", err)
	}
	current := aws.ToString(inline.InlinePolicy)
	switch {
	case p.InlinePolicy != "" && !sameJSON(current, p.InlinePolicy):
		if _, err := s.sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{
			InstanceArn: aws.String(instanceArn), PermissionSetArn: aws.String(arn), InlinePolicy: aws.String(
				p.InlinePolicy),
		}); err != nil {
			return false, fmt.Errorf("put inline policy: %w", err)
		}
		changed = true
	case p.InlinePolicy == "" && current != "":
		if _, err := s.sso.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{
			InstanceArn: aws.String(instanceArn), PermissionSetArn: aws.String(arn),
		}); err != nil {
			return false, fmt.Errorf("delete inline policy: %w", err)
		}
		changed = true
	}
	return changed, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// ssoTags returns tags sorted by key, so a create is always the same call.
func ssoTags(tags map[string]string) []ssotypes.Tag {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]ssotypes.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, ssotypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}
