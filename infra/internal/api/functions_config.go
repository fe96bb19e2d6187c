package api

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/platform"
)

// AppConfigExtensionVersion is the AWS AppConfig Agent Lambda extension the
// functions run (the version upstream pins too).
const AppConfigExtensionVersion = "2.0.17054.0"

// appConfigExtensionArm64 maps each region to the ARM64 layer of
// AppConfigExtensionVersion, from the AppConfig user guide
// ("Understanding available versions of the AWS AppConfig Agent Lambda
// extension"). A region missing here fails the synth with that message.
var appConfigExtensionArm64 = map[string]string{
	"us-east-1":      "arn:aws:lambda:us-east-1:027255383542:layer:AWS-AppConfig-Extension-Arm64:254",
	"us-east-2":      "arn:aws:lambda:us-east-2:728743619870:layer:AWS-AppConfig-Extension-Arm64:229",
	"us-west-1":      "arn:aws:lambda:us-west-1:958113053741:layer:AWS-AppConfig-Extension-Arm64:272",
	"us-west-2":      "arn:aws:lambda:us-west-2:359756378197:layer:AWS-AppConfig-Extension-Arm64:275",
	"ca-central-1":   "arn:aws:lambda:ca-central-1:039592058896:layer:AWS-AppConfig-Extension-Arm64:182",
	"eu-central-1":   "arn:aws:lambda:eu-central-1:066940009817:layer:AWS-AppConfig-Extension-Arm64:238",
	"eu-central-2":   "arn:aws:lambda:eu-central-2:758369105281:layer:AWS-AppConfig-Extension-Arm64:178",
	"eu-west-1":      "arn:aws:lambda:eu-west-1:434848589818:layer:AWS-AppConfig-Extension-Arm64:241",
	"eu-west-2":      "arn:aws:lambda:eu-west-2:282860088358:layer:AWS-AppConfig-Extension-Arm64:194",
	"eu-west-3":      "arn:aws:lambda:eu-west-3:493207061005:layer:AWS-AppConfig-Extension-Arm64:192",
	"eu-north-1":     "arn:aws:lambda:eu-north-1:646970417810:layer:AWS-AppConfig-Extension-Arm64:226",
	"eu-south-1":     "arn:aws:lambda:eu-south-1:203683718741:layer:AWS-AppConfig-Extension-Arm64:177",
	"eu-south-2":     "arn:aws:lambda:eu-south-2:586093569114:layer:AWS-AppConfig-Extension-Arm64:175",
	"ap-northeast-1": "arn:aws:lambda:ap-northeast-1:980059726660:layer:AWS-AppConfig-Extension-Arm64:225",
	"ap-northeast-2": "arn:aws:lambda:ap-northeast-2:826293736237:layer:AWS-AppConfig-Extension-Arm64:181",
	"ap-northeast-3": "arn:aws:lambda:ap-northeast-3:706869817123:layer:AWS-AppConfig-Extension-Arm64:187",
	"ap-southeast-1": "arn:aws:lambda:ap-southeast-1:421114256042:layer:AWS-AppConfig-Extension-Arm64:210",
	"ap-southeast-2": "arn:aws:lambda:ap-southeast-2:080788657173:layer:AWS-AppConfig-Extension-Arm64:256",
	"ap-south-1":     "arn:aws:lambda:ap-south-1:554480029851:layer:AWS-AppConfig-Extension-Arm64:232",
	"sa-east-1":      "arn:aws:lambda:sa-east-1:000010852771:layer:AWS-AppConfig-Extension-Arm64:215",
}

// AppConfigExtensionLayerArn returns the ARM64 extension layer of region.
func AppConfigExtensionLayerArn(region string) (string, error) {
	arn, ok := appConfigExtensionArm64[region]
	if !ok {
		return "", fmt.Errorf(
			"no AppConfig extension layer known for region %s: add it to infra/internal/api/functions_config.go from the AppConfig user guide",
			region,
		)
	}
	return arn, nil
}

// ConfigReadProps names the AppConfig resources a function reads.
type ConfigReadProps struct {
	Namespace string
	Region    string
	// ApplicationID, EnvironmentID and the profile ids come from the Data
	// stack (config.DataParam carries them too).
	ApplicationID, EnvironmentID string
	ProfileIDs                   []string
}

// ConfigReader grants functions read access to the global and reporting
// configuration through the AppConfig extension: the layer, the variables
// that make it prefetch both profiles at init, and IAM to start sessions
// and read the latest configuration of exactly those profiles.
type ConfigReader struct {
	props *ConfigReadProps
	layer awslambda.ILayerVersion
}

// NewConfigReader resolves the extension layer for the region.
func NewConfigReader(scope constructs.Construct, id string, props *ConfigReadProps) *ConfigReader {
	arn, err := AppConfigExtensionLayerArn(props.Region)
	if err != nil {
		panic(err.Error())
	}
	return &ConfigReader{
		props: props,
		layer: awslambda.LayerVersion_FromLayerVersionArn(scope, jsii.String(id), jsii.String(arn)),
	}
}

// Grant adds the extension to fn and lets it read the profiles. It has the
// signature the authorizer's GrantConfigRead expects.
func (c *ConfigReader) Grant(fn *platform.GoFunction) {
	p := c.props
	app := names.Physical(p.Namespace, names.AppConfigApplication)
	fn.Function.AddLayers(c.layer)
	prefetch := ""
	for i, profile := range []string{names.GlobalConfigProfile, names.ReportingConfigProfile} {
		if i > 0 {
			prefetch += ","
		}
		prefetch += fmt.Sprintf(
			"/applications/%s/environments/%s/configurations/%s",
			app,
			names.AppConfigEnvironment,
			profile,
		)
	}
	fn.Function.AddEnvironment(jsii.String("AWS_APPCONFIG_EXTENSION_PREFETCH_LIST"), jsii.String(prefetch), nil)
	fn.Function.AddEnvironment(jsii.String("AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS"), jsii.String("45"), nil)
	fn.Function.AddEnvironment(jsii.String("AWS_APPCONFIG_EXTENSION_HTTP_PORT"), jsii.String("2772"), nil)
	stack := awscdk.Stack_Of(fn.Function)
	resources := make([]*string, 0, len(p.ProfileIDs))
	for _, profile := range p.ProfileIDs {
		resources = append(
			resources,
			jsii.String(fmt.Sprintf("arn:%s:appconfig:%s:%s:application/%s/environment/%s/configuration/%s",
				*stack.Partition(), *stack.Region(), *stack.Account(), p.ApplicationID, p.EnvironmentID, profile)),
		)
	}
	fn.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadConfiguration"),
		Actions:   jsii.Strings("appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"),
		Resources: &resources,
	}))
}
