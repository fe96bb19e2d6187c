package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	isbconfig "github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/org"
	"github.com/isb-go/isb/infra/internal/platform"
	"github.com/isb-go/isb/infra/scp"
)

// names.SandboxAccountStackSet is the StackSet's base name.

// AccountPoolStack is the management-account stack.
type AccountPoolStack struct {
	awscdk.Stack
	OUs *org.OrganizationalUnits
}

// NewAccountPoolStack composes the AccountPool stack: OUs, SCPs, the
// OrgMgt role, the StackSet carrying sandboxTemplate, the shared pool
// configuration and the cost allocation tag activation.
func NewAccountPoolStack(scope constructs.Construct, cfg config.Config, sandboxTemplate string) *AccountPoolStack {
	stack := newStack(scope, StackAccountPool, cfg, cfg.OrgMgtAccountID,
		"Innovation Sandbox account pool: OUs, SCPs, StackSet and org access role (management account)")
	key := platform.NewKey(stack, "Key", &platform.KeyProps{
		Alias: keyAlias(cfg, StackAccountPool), Description: "Encrypts the account pool stack's logs", Mode: cfg.Mode,
	})
	ous := org.NewOrganizationalUnits(
		stack,
		"OUs",
		&org.OrganizationalUnitsProps{Namespace: cfg.Namespace, ParentOuID: cfg.ParentOuID},
	)
	org.NewServiceControlPolicies(stack, "SCPs", &org.ServiceControlPoliciesProps{
		OUs: ous,
		Vars: scp.Vars{
			Namespace:          cfg.Namespace,
			AdminPermissionSet: cfg.AdminPermissionSetName(),
			ManagedRegions:     cfg.ManagedRegions,
		},
	})
	org.NewOrgMgtRole(stack, "OrgMgtRole", &org.OrgMgtRoleProps{
		Namespace: cfg.Namespace, HubAccountID: cfg.HubAccountID, OrgMgtAccountID: cfg.OrgMgtAccountID, OUs: ous,
	})
	stackSetName := names.Physical(cfg.Namespace, names.SandboxAccountStackSet)
	org.NewSandboxStackSet(stack, "SandboxAccountStackSet", &org.SandboxStackSetProps{
		Name: stackSetName, TemplateBody: sandboxTemplate, Target: ous.Pool, Region: cfg.Region,
	})
	shareWithHub(stack, cfg, "AccountPoolConfig", names.AccountPoolConfigParam,
		"Innovation Sandbox account pool configuration (JSON), shared with the hub", isbconfig.AccountPoolParam{
			PoolOuID:        *ous.Pool.AttrId(),
			AvailableOuID:   *ous.Available.AttrId(),
			ActiveOuID:      *ous.Active.AttrId(),
			CleanUpOuID:     *ous.CleanUp.AttrId(),
			QuarantineOuID:  *ous.Quarantine.AttrId(),
			FrozenOuID:      *ous.Frozen.AttrId(),
			EntryOuID:       *ous.Entry.AttrId(),
			ExitOuID:        *ous.Exit.AttrId(),
			ParentOuID:      cfg.ParentOuID,
			ManagedRegions:  cfg.ManagedRegions,
			OrgMgtAccountID: cfg.OrgMgtAccountID,
			StackSetName:    stackSetName,
		})
	org.NewCostAllocationTags(stack, "CostAllocationTags", &org.CostAllocationTagsProps{
		TagKeys: []string{names.TagNamespace}, Key: key, RetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode,
	})
	awscdk.NewCfnOutput(stack, jsii.String("PoolOuId"), &awscdk.CfnOutputProps{Value: ous.Pool.AttrId()})
	return &AccountPoolStack{Stack: stack, OUs: ous}
}
