// Package assignments is the IAM Identity Center account assignment
// adapter: the users assigned the user permission set on an account, and
// assigning or unassigning one, through the hub's read-write IDC hop
// (names.IdcRole). It embeds the directory (idc.Chain) for finding a user.
package assignments

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/idc"
)

// SSOAdmin is the account assignment calls made.
type SSOAdmin interface {
	ListAccountAssignments(
		ctx context.Context,
		in *ssoadmin.ListAccountAssignmentsInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.ListAccountAssignmentsOutput, error)
	CreateAccountAssignment(
		ctx context.Context,
		in *ssoadmin.CreateAccountAssignmentInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.CreateAccountAssignmentOutput, error)
	DeleteAccountAssignment(
		ctx context.Context,
		in *ssoadmin.DeleteAccountAssignmentInput,
		opts ...func(*ssoadmin.Options),
	) (*ssoadmin.DeleteAccountAssignmentOutput, error)
}

// Chain is the account assignments of the IDC account the directory's
// parameter names, one SSO Admin client per IDC account.
type Chain struct {
	*idc.Chain

	mu      sync.Mutex
	clients map[string]SSOAdmin
}

// New returns the adapter over the directory, which must reach the IDC
// account through names.IdcRole (the read-only role cannot assign).
func New(dir *idc.Chain) *Chain { return &Chain{Chain: dir, clients: map[string]SSOAdmin{}} }

func (c *Chain) reach(ctx context.Context) (config.IdcParam, SSOAdmin, error) {
	p, cfg, err := c.Reach(ctx)
	if err != nil {
		return p, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if sso, ok := c.clients[p.IdcAccountID]; ok {
		return p, sso, nil
	}
	sso := ssoadmin.NewFromConfig(cfg)
	c.clients[p.IdcAccountID] = sso
	return p, sso, nil
}

// UserAssignments lists the users (principal ids, in Identity Center's
// order) assigned the user permission set on the account; group
// assignments are left out.
func (c *Chain) UserAssignments(ctx context.Context, accountID string) ([]string, error) {
	p, sso, err := c.reach(ctx)
	if err != nil {
		return nil, err
	}
	var users []string
	var next *string
	for {
		out, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{
			InstanceArn: aws.String(p.SsoInstanceArn), AccountId: aws.String(accountID),
			PermissionSetArn: aws.String(p.UserPermissionSetArn), NextToken: next,
		})
		if err != nil {
			return nil, fmt.Errorf("list assignments on account %s: %w", accountID, err)
		}
		for _, as := range out.AccountAssignments {
			if as.PrincipalType == ssotypes.PrincipalTypeUser {
				users = append(users, aws.ToString(as.PrincipalId))
			}
		}
		if next = out.NextToken; next == nil {
			return users, nil
		}
	}
}

// Assign gives the user the user permission set on the account.
func (c *Chain) Assign(ctx context.Context, accountID, userID string) error {
	p, sso, err := c.reach(ctx)
	if err != nil {
		return err
	}
	if _, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(p.SsoInstanceArn), PermissionSetArn: aws.String(p.UserPermissionSetArn),
		PrincipalId: aws.String(userID), PrincipalType: ssotypes.PrincipalTypeUser,
		TargetId: aws.String(accountID), TargetType: ssotypes.TargetTypeAwsAccount,
	}); err != nil {
		return fmt.Errorf("grant user %s on account %s: %w", userID, accountID, err)
	}
	return nil
}

// Unassign removes the user's assignment of the user permission set on
// the account; one that is already gone is no error.
func (c *Chain) Unassign(ctx context.Context, accountID, userID string) error {
	p, sso, err := c.reach(ctx)
	if err != nil {
		return err
	}
	_, err = sso.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
		InstanceArn: aws.String(p.SsoInstanceArn), PermissionSetArn: aws.String(p.UserPermissionSetArn),
		PrincipalId: aws.String(userID), PrincipalType: ssotypes.PrincipalTypeUser,
		TargetId: aws.String(accountID), TargetType: ssotypes.TargetTypeAwsAccount,
	})
	var nf *ssotypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("revoke user %s on account %s: %w", userID, accountID, err)
	}
	return nil
}
