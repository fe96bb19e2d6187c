// Package appconfig_test reads configuration the way local mode does: from
// hosted configuration versions in the emulator's AppConfig.
package appconfig_test

import (
	"context"
	"github.com/isb-go/isb/common/appconfig/hosted"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"

	isbappconfig "github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/test/emulator"
)

func TestHostedReadsTheNewestVersion(t *testing.T) {
	ctx := context.Background()
	api := appconfig.NewFromConfig(emulator.Config(t))
	app, err := api.CreateApplication(
		ctx,
		&appconfig.CreateApplicationInput{Name: aws.String(names.Physical("test", names.AppConfigApplication))},
	)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, p := range []string{names.GlobalConfigProfile, names.ReportingConfigProfile} {
		out, err := api.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{
			ApplicationId: app.Id, Name: aws.String(p), LocationUri: aws.String("hosted"),
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[p] = aws.ToString(out.Id)
	}
	publish := func(profile, content string) {
		t.Helper()
		if _, err := api.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{
			ApplicationId: app.Id, ConfigurationProfileId: aws.String(ids[profile]),
			Content: []byte(content), ContentType: aws.String("application/x-yaml"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	publish(names.GlobalConfigProfile, string(config.DefaultGlobalYAML()))
	publish(names.ReportingConfigProfile, "costReportGroups: [platform]\n")

	src := hosted.New(api, aws.ToString(app.Id), ids)
	t.Run("the shipped defaults are read from version 1", func(t *testing.T) {
		g, err := isbappconfig.New(src, 0, nil).Global(ctx)
		if err != nil || g.Leases.MaxLeasesPerUser != config.DefaultGlobal().Leases.MaxLeasesPerUser {
			t.Fatalf("global = %+v, %v", g.Leases, err)
		}
	})
	t.Run("a newer version replaces it", func(t *testing.T) {
		publish(names.GlobalConfigProfile, "maintenanceMode: false\nleases:\n  maxLeasesPerUser: 9\n")
		publish(names.GlobalConfigProfile, "maintenanceMode: false\nleases:\n  maxLeasesPerUser: 11\n")
		g, err := isbappconfig.New(src, 0, nil).Global(ctx)
		if err != nil || g.Leases.MaxLeasesPerUser != 11 || g.MaintenanceMode {
			t.Fatalf("global = %+v, %v", g.Leases, err)
		}
	})
	t.Run("each profile is versioned on its own", func(t *testing.T) {
		r, err := isbappconfig.New(src, 0, nil).Reporting(ctx)
		if err != nil || len(r.CostReportGroups) != 1 || r.CostReportGroups[0] != "platform" {
			t.Fatalf("reporting = %+v, %v", r, err)
		}
	})
	t.Run("a profile without any version is an error", func(t *testing.T) {
		empty := hosted.New(api, aws.ToString(app.Id), map[string]string{names.GlobalConfigProfile: "nope123"})
		if _, err := isbappconfig.New(empty, 0, nil).Global(ctx); err == nil {
			t.Fatal("reading a profile with no versions succeeded")
		}
	})
}
