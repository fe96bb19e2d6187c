// Package org holds the constructs of the AccountPool stack, deployed in
// the AWS Organizations management account: the pool OUs, the service
// control policies, the role the hub assumes for Organizations and Cost
// Explorer calls, the StackSet that puts the cleanup role into every pool
// account, the shared pool configuration and the cost allocation tag.
package org

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
)

// Child OU names under the pool OU. Available, Active, CleanUp, Quarantine
// and Frozen mirror the account statuses; Entry holds accounts being
// registered and Exit accounts being ejected.
const (
	OuAvailable  = "Available"
	OuActive     = "Active"
	OuCleanUp    = "CleanUp"
	OuQuarantine = "Quarantine"
	OuFrozen     = "Frozen"
	OuEntry      = "Entry"
	OuExit       = "Exit"
)

// poolOuBase is the pool OU's base name: names.Physical(ns, poolOuBase).
const poolOuBase = names.PoolOU

// OrganizationalUnitsProps configures the OU tree.
type OrganizationalUnitsProps struct {
	Namespace string
	// ParentOuID is the root or OU the pool OU is created under.
	ParentOuID string
}

// OrganizationalUnits is the pool OU and its seven children.
type OrganizationalUnits struct {
	constructs.Construct
	Pool                                                        awsorganizations.CfnOrganizationalUnit
	Available, Active, CleanUp, Quarantine, Frozen, Entry, Exit awsorganizations.CfnOrganizationalUnit
}

// NewOrganizationalUnits creates the pool OU under the parent and the
// seven state OUs under the pool OU.
func NewOrganizationalUnits(
	scope constructs.Construct,
	id string,
	props *OrganizationalUnitsProps,
) *OrganizationalUnits {
	c := constructs.NewConstruct(scope, jsii.String(id))
	o := &OrganizationalUnits{Construct: c}
	o.Pool = awsorganizations.NewCfnOrganizationalUnit(
		c,
		jsii.String("PoolOu"),
		&awsorganizations.CfnOrganizationalUnitProps{
			Name:     jsii.String(names.Physical(props.Namespace, poolOuBase)),
			ParentId: jsii.String(props.ParentOuID),
		},
	)
	child := func(name string) awsorganizations.CfnOrganizationalUnit {
		return awsorganizations.NewCfnOrganizationalUnit(
			c,
			jsii.String(name+"Ou"),
			&awsorganizations.CfnOrganizationalUnitProps{
				Name:     jsii.String(name),
				ParentId: o.Pool.AttrId(),
			},
		)
	}
	o.Available = child(OuAvailable)
	o.Active = child(OuActive)
	o.CleanUp = child(OuCleanUp)
	o.Quarantine = child(OuQuarantine)
	o.Frozen = child(OuFrozen)
	o.Entry = child(OuEntry)
	o.Exit = child(OuExit)
	return o
}

// All returns the pool OU followed by its children.
func (o *OrganizationalUnits) All() []awsorganizations.CfnOrganizationalUnit {
	return []awsorganizations.CfnOrganizationalUnit{
		o.Pool,
		o.Available,
		o.Active,
		o.CleanUp,
		o.Quarantine,
		o.Frozen,
		o.Entry,
		o.Exit,
	}
}

// WriteProtected returns the OUs where no lessee may act: every child but
// Active (leased). Frozen is protected too: freezing removes the lessee's
// sign-in, but roles the lessee made would keep working and spending while
// the resources wait for review.
func (o *OrganizationalUnits) WriteProtected() []awsorganizations.CfnOrganizationalUnit {
	return []awsorganizations.CfnOrganizationalUnit{o.Available, o.CleanUp, o.Quarantine, o.Frozen, o.Entry, o.Exit}
}
