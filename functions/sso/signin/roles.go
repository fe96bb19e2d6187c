package signin

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/idc"
	"github.com/isb-go/isb/common/routes"
)

// IdentityStore is the Identity Store calls the role lookup makes.
type IdentityStore interface {
	GetUserId(
		ctx context.Context,
		in *identitystore.GetUserIdInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.GetUserIdOutput, error)
	DescribeUser(
		ctx context.Context,
		in *identitystore.DescribeUserInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.DescribeUserOutput, error)
	ListGroupMembershipsForMember(
		ctx context.Context,
		in *identitystore.ListGroupMembershipsForMemberInput,
		opts ...func(*identitystore.Options),
	) (*identitystore.ListGroupMembershipsForMemberOutput, error)
}

// ErrUnknownUser: no Identity Center user has the email.
var ErrUnknownUser = errors.New("no Identity Center user with this email")

// IdcRoles finds a user by email in the Identity Store and derives their
// roles from their membership of the Admin, Manager and User groups.
type IdcRoles struct {
	api     IdentityStore
	storeID string
	// groups maps a group id to the role it grants.
	groups map[string]routes.Role
}

// NewIdcRoles returns the lookup over identity store storeID; groups maps
// each ISB group id (config.IdcParam) to its role.
func NewIdcRoles(api IdentityStore, storeID string, groups map[string]routes.Role) *IdcRoles {
	return &IdcRoles{api: api, storeID: storeID, groups: groups}
}

// Caller returns the user with their display name and roles; a user in
// none of the groups has no roles (the caller refuses the sign-in).
func (r *IdcRoles) Caller(ctx context.Context, email string) (auth.Caller, error) {
	id, err := idc.FindUser(ctx, r.api, r.storeID, email)
	if err != nil {
		return auth.Caller{}, err
	}
	if id == "" {
		return auth.Caller{}, fmt.Errorf("%w: %s", ErrUnknownUser, email)
	}
	c := auth.Caller{Email: email}
	user, err := r.api.DescribeUser(
		ctx,
		&identitystore.DescribeUserInput{IdentityStoreId: aws.String(r.storeID), UserId: aws.String(id)},
	)
	if err != nil {
		return auth.Caller{}, fmt.Errorf("describe user %s: %w", email, err)
	}
	c.Name = aws.ToString(user.DisplayName)
	seen := map[routes.Role]bool{}
	var next *string
	for {
		page, err := r.api.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{
			IdentityStoreId: aws.String(
				r.storeID,
			), MemberId: &istypes.MemberIdMemberUserId{Value: id}, NextToken: next,
		})
		if err != nil {
			return auth.Caller{}, fmt.Errorf("group memberships of %s: %w", email, err)
		}
		for _, m := range page.GroupMemberships {
			if role, ok := r.groups[aws.ToString(m.GroupId)]; ok {
				seen[role] = true
			}
		}
		if next = page.NextToken; next == nil || *next == "" {
			break
		}
	}
	for _, role := range routes.Roles {
		if seen[role] {
			c.Roles = append(c.Roles, role)
		}
	}
	return c, nil
}
