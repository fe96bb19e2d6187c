package localmode

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/isb-go/isb/cmd/emulator"
)

// AddSpend adds usd to what account spent today, as the management
// account's Cost Explorer (which the lease monitor reads through the role
// chain) reports it; it returns the account's total.
func AddSpend(ctx context.Context, emu *emulator.Server, account string, usd float64) (float64, error) {
	return emu.AddSpend(ctx, ManagementAccount, account, time.Now().UTC().Format("2006-01-02"), usd)
}

// SentEmails lists the mail the platform sent, oldest first.
func SentEmails(ctx context.Context, emu *emulator.Server) ([]emulator.SentEmail, error) {
	return emu.SentEmails(ctx, ManagementAccount, Region)
}

// UserAssignments counts the user principals holding the sandbox users'
// permission set on account in Identity Center (read through the role
// chain, as the lifecycle manager reads it).
func (p *Platform) UserAssignments(ctx context.Context, account string) (int, error) {
	sso := ssoadmin.NewFromConfig(idcConfig(p.cfg, p.ns))
	out, err := sso.ListAccountAssignments(ctx,
		&ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(p.world.idc.SsoInstanceArn),
			AccountId: aws.String(account), PermissionSetArn: aws.String(p.world.idc.UserPermissionSetArn)})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range out.AccountAssignments {
		if a.PrincipalType == ssotypes.PrincipalTypeUser {
			n++
		}
	}
	return n, nil
}
