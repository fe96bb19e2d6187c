package data

import (
	"encoding/json"
	"github.com/isb-go/isb/common/config"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
)

// ParamProps configures the Data stack's configuration parameter.
type ParamProps struct {
	Namespace string
	Config    config.DataParam
}

// NewParam publishes the identifiers the Compute stack's functions need
// and cannot derive from common/names (AppConfig ids, the table key ARN)
// as a JSON String parameter in the hub.
func NewParam(scope constructs.Construct, id string, props *ParamProps) awsssm.StringParameter {
	b, err := json.Marshal(props.Config)
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	return awsssm.NewStringParameter(scope, jsii.String(id), &awsssm.StringParameterProps{
		ParameterName: jsii.String("/" + names.Physical(props.Namespace, names.DataConfigParam)),
		Description:   jsii.String("Innovation Sandbox data stack configuration (JSON)"),
		StringValue:   jsii.String(string(b)),
		Tier:          awsssm.ParameterTier_STANDARD,
	})
}
