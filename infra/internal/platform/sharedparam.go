package platform

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsram"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// SharedParameterProps configures a parameter shared with other accounts.
type SharedParameterProps struct {
	// Name is the parameter name (starting with "/").
	Name        string
	Description string
	// Value is the parameter value (JSON; may contain tokens).
	Value string
	// ShareWith are the account ids that may read the parameter.
	ShareWith []string
}

// SharedParameter is a parameter and its RAM share.
type SharedParameter struct {
	constructs.Construct
	Parameter awsssm.StringParameter
	Share     awsram.CfnResourceShare
}

// NewSharedParameter creates an advanced-tier String parameter (RAM only
// shares advanced parameters) and shares it read-only through AWS RAM.
// The consuming account reads it by full ARN. Sharing inside the
// organization needs RAM sharing with AWS Organizations enabled.
func NewSharedParameter(scope constructs.Construct, id string, props *SharedParameterProps) *SharedParameter {
	c := constructs.NewConstruct(scope, jsii.String(id))
	p := awsssm.NewStringParameter(c, jsii.String("Parameter"), &awsssm.StringParameterProps{
		ParameterName: jsii.String(props.Name),
		Description:   jsii.String(props.Description),
		StringValue:   jsii.String(props.Value),
		Tier:          awsssm.ParameterTier_ADVANCED,
	})
	share := awsram.NewCfnResourceShare(c, jsii.String("Share"), &awsram.CfnResourceShareProps{
		Name:                    jsii.String(strings.ReplaceAll(strings.TrimPrefix(props.Name, "/"), "/", "-")),
		ResourceArns:            &[]*string{p.ParameterArn()},
		Principals:              jsii.Strings(props.ShareWith...),
		AllowExternalPrincipals: jsii.Bool(false),
	})
	return &SharedParameter{Construct: c, Parameter: p, Share: share}
}
