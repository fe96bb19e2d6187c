package org

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/scp"
)

// ServiceControlPoliciesProps configures the SCPs.
type ServiceControlPoliciesProps struct {
	Vars scp.Vars
	OUs  *OrganizationalUnits
}

// ServiceControlPolicies are the five policies, keyed by scp file name.
type ServiceControlPolicies struct {
	constructs.Construct
	Policies map[string]awsorganizations.CfnPolicy
}

// NewServiceControlPolicies renders the policy files of package scp and
// attaches them: four to the pool OU (so to every account under it) and
// the write protection to the OUs where no lessee may act.
func NewServiceControlPolicies(
	scope constructs.Construct,
	id string,
	props *ServiceControlPoliciesProps,
) *ServiceControlPolicies {
	c := constructs.NewConstruct(scope, jsii.String(id))
	s := &ServiceControlPolicies{Construct: c, Policies: map[string]awsorganizations.CfnPolicy{}}
	pool := []*string{props.OUs.Pool.AttrId()}
	var protected []*string
	for _, ou := range props.OUs.WriteProtected() {
		protected = append(protected, ou.AttrId())
	}
	targets := map[string][]*string{
		scp.NukeSupportedServices: pool,
		scp.Restrictions:          pool,
		scp.ProtectControlPlane:   pool,
		scp.LimitRegions:          pool,
		scp.WriteProtection:       protected,
	}
	descriptions := map[string]string{
		scp.NukeSupportedServices: "Allows only the services aws-nuke can clean (and read-only console helpers)",
		scp.Restrictions:          "Denies isolation breaks, long-term commitments and operations cleanup cannot undo",
		scp.ProtectControlPlane:   "Protects the Innovation Sandbox and Control Tower roles, stacks and recorders",
		scp.LimitRegions:          "Denies regional services outside the managed regions; global services are exempt",
		scp.WriteProtection:       "Denies every action to non-ISB principals while an account is not leased or is frozen",
	}
	for _, name := range scp.All {
		doc, err := scp.Render(name, props.Vars)
		if err != nil {
			panic(fmt.Sprintf("service control policy: %v", err))
		}
		target := targets[name]
		s.Policies[name] = awsorganizations.NewCfnPolicy(c, jsii.String(name), &awsorganizations.CfnPolicyProps{
			Name:        jsii.String(names.Physical(props.Vars.Namespace, name)),
			Description: jsii.String(descriptions[name]),
			Type:        jsii.String("SERVICE_CONTROL_POLICY"),
			Content:     doc,
			TargetIds:   &target,
		})
	}
	return s
}
