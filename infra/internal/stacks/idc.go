package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"

	isbconfig "github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/idc"
	"github.com/isb-go/isb/infra/internal/platform"
)

// NewIDCStack composes the IDC stack: the configurer custom resource, the
// IdcRole and the shared IDC configuration.
func NewIDCStack(scope constructs.Construct, cfg config.Config) awscdk.Stack {
	stack := newStack(scope, StackIDC, cfg, cfg.IdcAccountID,
		"Innovation Sandbox IAM Identity Center groups, permission sets and access role (Identity Center account)")
	key := platform.NewKey(stack, "Key", &platform.KeyProps{
		Alias: keyAlias(cfg, StackIDC), Description: "Encrypts the IDC stack's logs", Mode: cfg.Mode,
	})
	spec := idc.DefaultSpec(cfg)
	cr := idc.NewConfigurer(stack, "IdcConfigurer", &idc.ConfigurerProps{
		Spec: spec, IdcAccountID: cfg.IdcAccountID, AssetDir: cfg.LambdaAssetDir,
		Key: key, LogRetentionDays: cfg.LogRetentionDays, Mode: cfg.Mode,
	})
	psArns := []*string{
		cr.PermissionSetArn(idc.RoleAdmin),
		cr.PermissionSetArn(idc.RoleManager),
		cr.PermissionSetArn(idc.RoleUser),
	}
	idc.NewIdcRole(stack, "IdcRole", &idc.IdcRoleProps{
		Namespace: cfg.Namespace, HubAccountID: cfg.HubAccountID, IdcAccountID: cfg.IdcAccountID,
		IdentityStoreID: cfg.IdentityStoreID, InstanceArn: cfg.SsoInstanceArn, UserPermissionSetArn: psArns[2],
		ProtectedAccountIDs: []string{cfg.HubAccountID, cfg.OrgMgtAccountID, cfg.IdcAccountID},
	})
	idc.NewIdcReadOnlyRole(stack, "IdcReadOnlyRole", &idc.IdcReadOnlyRoleProps{
		Namespace: cfg.Namespace, HubAccountID: cfg.HubAccountID, IdcAccountID: cfg.IdcAccountID,
		IdentityStoreID: cfg.IdentityStoreID,
	})
	shareWithHub(stack, cfg, "IdcConfig", names.IdcConfigParam,
		"Innovation Sandbox Identity Center configuration (JSON), shared with the hub", isbconfig.IdcParam{
			IdcAccountID:            cfg.IdcAccountID,
			IdentityStoreID:         cfg.IdentityStoreID,
			SsoInstanceArn:          cfg.SsoInstanceArn,
			AdminGroupID:            *cr.GroupID(idc.RoleAdmin),
			ManagerGroupID:          *cr.GroupID(idc.RoleManager),
			UserGroupID:             *cr.GroupID(idc.RoleUser),
			AdminPermissionSetArn:   *psArns[0],
			ManagerPermissionSetArn: *psArns[1],
			UserPermissionSetArn:    *psArns[2],
		})
	return stack
}
