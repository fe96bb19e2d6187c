// Package idc holds the constructs of the IDC stack, deployed in the IAM
// Identity Center account: the custom resource that creates or finds the
// groups and permission sets, the role the hub assumes for Identity Store
// and SSO Admin calls, and the shared IDC configuration.
package idc

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/idcspec"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// Roles of the platform; the custom resource returns <Role>GroupId and
// <Role>PermissionSetArn for each.
const (
	RoleAdmin   = idcspec.RoleAdmin
	RoleManager = idcspec.RoleManager
	RoleUser    = idcspec.RoleUser
)

// userInlinePolicy lets sandbox users manage the IAM roles and policies
// their workloads need, which PowerUserAccess leaves out. IAM users,
// identity providers and the ISB roles stay off limits through the pool
// SCPs.
const userInlinePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"ManageWorkloadRoles","Effect":"Allow",` +
	`"Action":["iam:*Role*","iam:*RolePolicy*","iam:*Policy","iam:*PolicyVersion*","iam:*InstanceProfile*",` +
	`"iam:PassRole","iam:Get*","iam:List*"],"Resource":"*"}]}`

// DefaultSpec is the Identity Center configuration of a deployment.
// Unlike upstream, where every permission set was AdministratorAccess,
// managers only read in sandbox accounts and users are power users.
func DefaultSpec(cfg config.Config) idcspec.Spec {
	return idcspec.Spec{
		IdentityStoreID: cfg.IdentityStoreID,
		InstanceArn:     cfg.SsoInstanceArn,
		Groups: []idcspec.GroupSpec{
			{Role: RoleAdmin, DisplayName: cfg.AdminGroupName, Description: "Innovation Sandbox administrators"},
			{Role: RoleManager, DisplayName: cfg.ManagerGroupName, Description: "Innovation Sandbox managers"},
			{Role: RoleUser, DisplayName: cfg.UserGroupName, Description: "Innovation Sandbox users"},
		},
		PermissionSets: []idcspec.PermissionSetSpec{
			{Role: RoleAdmin, Name: cfg.AdminPermissionSetName(), Description: "Innovation Sandbox administrator access",
				SessionDuration: "PT4H", ManagedPolicyArns: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
			{Role: RoleManager, Name: cfg.ManagerPermissionSetName(), Description: "Innovation Sandbox manager access (read only)",
				SessionDuration: "PT4H", ManagedPolicyArns: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}},
			{Role: RoleUser, Name: cfg.UserPermissionSetName(), Description: "Innovation Sandbox user access",
				SessionDuration: "PT8H", ManagedPolicyArns: []string{"arn:aws:iam::aws:policy/PowerUserAccess"},
				InlinePolicy: userInlinePolicy},
		},
		Tags: map[string]string{names.TagNamespace: cfg.Namespace},
	}
}

// ConfigurerProps configures the custom resource.
type ConfigurerProps struct {
	Spec         idcspec.Spec
	IdcAccountID string
	// AssetDir holds idc-configurer/bootstrap.zip.
	AssetDir         string
	Key              awskms.IKey
	LogRetentionDays int
	Mode             config.Mode
}

// Configurer is the custom resource and its function.
type Configurer struct {
	constructs.Construct
	Function *platform.GoFunction
	Resource awscdk.CustomResource
}

// NewConfigurer creates the Go function and the custom resource that
// converges Identity Center on the spec at every deployment.
func NewConfigurer(scope constructs.Construct, id string, props *ConfigurerProps) *Configurer {
	c := constructs.NewConstruct(scope, jsii.String(id))
	fn := platform.NewGoFunction(c, "Handler", &platform.GoFunctionProps{
		Name:             names.LambdaIdcConfigurer,
		AssetDir:         props.AssetDir,
		Description:      "Creates or finds the Innovation Sandbox groups and permission sets in IAM Identity Center",
		MemoryMB:         128,
		Timeout:          awscdk.Duration_Minutes(jsii.Number(5)),
		Key:              props.Key,
		LogRetentionDays: props.LogRetentionDays,
		Mode:             props.Mode,
	})
	instanceID := props.Spec.InstanceArn[strings.LastIndex(props.Spec.InstanceArn, "/")+1:]
	storeArn := fmt.Sprintf("arn:aws:identitystore::%s:identitystore/%s", props.IdcAccountID, props.Spec.IdentityStoreID)
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FindOrCreateGroups"),
		Actions:   jsii.Strings("identitystore:GetGroupId", "identitystore:CreateGroup"),
		Resources: jsii.Strings(storeArn, "arn:aws:identitystore:::group/*"),
	}))
	permissionSets := "arn:aws:sso:::permissionSet/" + instanceID + "/*"
	// Finding a set by name reads them all; changing one needs the
	// deployment's tag on it, so the organisation's other permission sets
	// (AdministratorAccess ones among them) stay out of reach.
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FindPermissionSets"),
		Actions:   jsii.Strings("sso:ListPermissionSets", "sso:DescribePermissionSet"),
		Resources: jsii.Strings(props.Spec.InstanceArn, permissionSets),
	}))
	requestTags, resourceTags, tagKeys := map[string]any{}, map[string]any{}, []any{}
	keys := make([]string, 0, len(props.Spec.Tags))
	for k := range props.Spec.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		requestTags["aws:RequestTag/"+k] = props.Spec.Tags[k]
		resourceTags["aws:ResourceTag/"+k] = props.Spec.Tags[k]
		tagKeys = append(tagKeys, k)
	}
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CreateTaggedPermissionSets"),
		Actions:    jsii.Strings("sso:CreatePermissionSet", "sso:TagResource"),
		Resources:  jsii.Strings(props.Spec.InstanceArn, permissionSets),
		Conditions: &map[string]any{"StringEquals": requestTags, "ForAllValues:StringEquals": map[string]any{"aws:TagKeys": tagKeys}},
	}))
	converge := jsii.Strings("sso:UpdatePermissionSet", "sso:ListManagedPoliciesInPermissionSet", "sso:AttachManagedPolicyToPermissionSet",
		"sso:DetachManagedPolicyFromPermissionSet", "sso:GetInlinePolicyForPermissionSet",
		"sso:PutInlinePolicyToPermissionSet", "sso:DeleteInlinePolicyFromPermissionSet", "sso:ProvisionPermissionSet")
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ConvergeTaggedPermissionSets"), Actions: converge,
		Resources:  jsii.Strings(permissionSets),
		Conditions: &map[string]any{"StringEquals": resourceTags},
	}))
	// The instance and the accounts carry no tag; every one of these
	// calls also names a permission set, which the statement above binds.
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ConvergeOnThisInstance"), Actions: converge,
		Resources: jsii.Strings(props.Spec.InstanceArn, "arn:aws:sso:::account/*"),
	}))
	platform.Suppress(fn.Role, platform.Suppression{
		Rule: "AwsSolutions-IAM5",
		Reason: "Group ids and permission set ARNs are generated by Identity Center when the function creates them, so they are matched " +
			"as group/* and permissionSet/<this instance>/*, and changed only when they carry the deployment's tag (aws:ResourceTag); " +
			"ProvisionPermissionSet re-provisions to every account already holding the set (account/*).",
		AppliesTo: []string{"Resource::arn:aws:identitystore:::group/*", "Resource::arn:aws:sso:::permissionSet/" + instanceID + "/*", "Resource::arn:aws:sso:::account/*"},
	})
	spec, err := json.Marshal(props.Spec)
	if err != nil {
		panic(err)
	}
	res := awscdk.NewCustomResource(c, jsii.String("Resource"), &awscdk.CustomResourceProps{
		ServiceToken:  fn.Function.FunctionArn(),
		ResourceType:  jsii.String("Custom::IdcConfiguration"),
		Properties:    &map[string]any{"Spec": string(spec)},
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY, // the handler's Delete leaves everything in place
	})
	// The ServiceToken reference already makes CloudFormation delete the
	// resource (answered by the function) before the function.
	return &Configurer{Construct: c, Function: fn, Resource: res}
}

// GroupID is the id of a role's group.
func (c *Configurer) GroupID(role string) *string {
	return c.Resource.GetAttString(jsii.String(role + "GroupId"))
}

// PermissionSetArn is the ARN of a role's permission set.
func (c *Configurer) PermissionSetArn(role string) *string {
	return c.Resource.GetAttString(jsii.String(role + "PermissionSetArn"))
}
