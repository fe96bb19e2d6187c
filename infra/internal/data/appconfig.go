package data

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsappconfig"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	isbconfig "github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
)

// Configuration files, relative to the repository root. They are read at
// synth time and become the first hosted version of each profile.
const (
	GlobalConfigFile    = "common/config/defaults/global-config.yaml"
	ReportingConfigFile = "common/config/defaults/reporting-config.yaml"
	NukeConfigFile      = "nuke-config/nuke-config.yaml"
)

// yamlContentType is the content type of every hosted configuration.
const yamlContentType = "application/x-yaml"

// AppConfigProps configures the AppConfig application.
type AppConfigProps struct {
	Namespace string
	// RepoRoot is the directory the configuration files are relative to.
	RepoRoot string
}

// Profile is one hosted configuration profile and its first version.
type Profile struct {
	Profile awsappconfig.CfnConfigurationProfile
	Version awsappconfig.CfnHostedConfigurationVersion
}

// AppConfig is the application, its environment, the instant deployment
// strategy, and the global, nuke and reporting profiles.
type AppConfig struct {
	constructs.Construct
	Application awsappconfig.CfnApplication
	Environment awsappconfig.CfnEnvironment
	Strategy    awsappconfig.CfnDeploymentStrategy
	Global      Profile
	Nuke        Profile
	Reporting   Profile
}

// NewAppConfig creates the application and deploys the shipped
// configuration files to its environment. The three deployments are
// chained because AppConfig refuses concurrent deployments to one
// environment. Later edits made through the API create new hosted versions
// outside CloudFormation; a stack update only redeploys a profile whose
// file changed.
func NewAppConfig(scope constructs.Construct, id string, props *AppConfigProps) *AppConfig {
	c := constructs.NewConstruct(scope, jsii.String(id))
	a := &AppConfig{Construct: c}
	a.Application = awsappconfig.NewCfnApplication(c, jsii.String("Application"), &awsappconfig.CfnApplicationProps{
		Name:        jsii.String(names.Physical(props.Namespace, names.AppConfigApplication)),
		Description: jsii.String("Innovation Sandbox runtime configuration"),
	})
	a.Environment = awsappconfig.NewCfnEnvironment(c, jsii.String("Environment"), &awsappconfig.CfnEnvironmentProps{
		ApplicationId: a.Application.Ref(),
		Name:          jsii.String(names.AppConfigEnvironment),
	})
	a.Strategy = awsappconfig.NewCfnDeploymentStrategy(
		c,
		jsii.String("InstantStrategy"),
		&awsappconfig.CfnDeploymentStrategyProps{
			Name:                        jsii.String(names.Physical(props.Namespace, "Instant")),
			Description:                 jsii.String("All at once, no bake time"),
			DeploymentDurationInMinutes: jsii.Number(0),
			GrowthFactor:                jsii.Number(100),
			GrowthType:                  jsii.String("LINEAR"),
			FinalBakeTimeInMinutes:      jsii.Number(0),
			ReplicateTo:                 jsii.String("NONE"),
		},
	)

	var previous awscdk.CfnResource
	profile := func(id, name, file string, validate func([]byte) error) Profile {
		content := readConfigFile(props.RepoRoot, file)
		// The functions refuse a configuration their parser rejects, so a
		// broken default must fail the synth, not the first lease.
		if err := validate([]byte(content)); err != nil {
			panic(fmt.Sprintf("AppConfig content %s is invalid: %v", file, err))
		}
		p := awsappconfig.NewCfnConfigurationProfile(
			c,
			jsii.String(id+"Profile"),
			&awsappconfig.CfnConfigurationProfileProps{
				ApplicationId: a.Application.Ref(),
				Name:          jsii.String(name),
				LocationUri:   jsii.String("hosted"),
				Type:          jsii.String("AWS.Freeform"),
				Description:   jsii.String("Shipped from " + file),
			},
		)
		v := awsappconfig.NewCfnHostedConfigurationVersion(
			c,
			jsii.String(id+"Version"),
			&awsappconfig.CfnHostedConfigurationVersionProps{
				ApplicationId:          a.Application.Ref(),
				ConfigurationProfileId: p.Ref(),
				Content:                jsii.String(content),
				ContentType:            jsii.String(yamlContentType),
				Description:            jsii.String("Default from " + file),
			},
		)
		d := awsappconfig.NewCfnDeployment(c, jsii.String(id+"Deployment"), &awsappconfig.CfnDeploymentProps{
			ApplicationId:          a.Application.Ref(),
			EnvironmentId:          a.Environment.Ref(),
			DeploymentStrategyId:   a.Strategy.Ref(),
			ConfigurationProfileId: p.Ref(),
			ConfigurationVersion:   v.Ref(),
			Description:            jsii.String("Deploy " + file),
		})
		if previous != nil {
			d.AddResourceDependency(
				previous,
				jsii.String("AppConfig refuses concurrent deployments to one environment"),
			)
		}
		previous = d
		return Profile{Profile: p, Version: v}
	}
	a.Global = profile("Global", names.GlobalConfigProfile, GlobalConfigFile,
		func(b []byte) error { _, err := isbconfig.ParseGlobal(b); return err })
	a.Nuke = profile("Nuke", names.NukeConfigProfile, NukeConfigFile,
		func(b []byte) error { _, err := isbconfig.ParseNuke(b); return err })
	a.Reporting = profile("Reporting", names.ReportingConfigProfile, ReportingConfigFile,
		func(b []byte) error { _, err := isbconfig.ParseReporting(b); return err })
	return a
}

// maxHostedContent is the AppConfig limit on a hosted configuration.
const maxHostedContent = 2 << 20

func readConfigFile(root, rel string) string {
	path := filepath.Join(root, rel)
	b, err := os.ReadFile(path)
	if err != nil {
		panic(
			fmt.Sprintf(
				"AppConfig content %s cannot be read (set context repoRoot or ISB_REPO_ROOT to the repository root): %v",
				path,
				err,
			),
		)
	}
	if len(b) == 0 || len(b) > maxHostedContent {
		panic(fmt.Sprintf("AppConfig content %s has %d bytes; want 1 to %d", path, len(b), maxHostedContent))
	}
	return string(b)
}
