package awscfg

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestBuildReadsTheLambdaEnvironment(t *testing.T) {
	lambda := map[string]string{
		"AWS_REGION":            "eu-west-1",
		"AWS_DEFAULT_REGION":    "us-east-2",
		"AWS_ACCESS_KEY_ID":     "AKID",
		"AWS_SECRET_ACCESS_KEY": "SECRET",
		"AWS_SESSION_TOKEN":     "TOKEN",
	}
	with := func(changes map[string]string) func(string) string {
		env := map[string]string{}
		for k, v := range lambda {
			env[k] = v
		}
		for k, v := range changes {
			env[k] = v
		}
		return func(k string) string { return env[k] }
	}
	for _, tc := range []struct {
		name         string
		opts         Options
		env          func(string) string
		region       string
		creds        aws.Credentials
		endpoint     string
		attempts     int
		noCredential bool
	}{
		{name: "the region and session credentials come from the Lambda environment",
			env: with(nil), region: "eu-west-1",
			creds:    aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"},
			attempts: 3},
		{name: "AWS_DEFAULT_REGION is the region when AWS_REGION is unset",
			env: with(map[string]string{"AWS_REGION": ""}), region: "us-east-2",
			creds:    aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"},
			attempts: 3},
		{name: "the options' region, static key and attempts win over the environment",
			opts: Options{Region: "ap-south-1", StaticKey: "test", StaticSecret: "test", MaxAttempts: 1},
			env:  with(nil), region: "ap-south-1",
			creds:    aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
			attempts: 1},
		{name: "the ISB endpoint wins over AWS_ENDPOINT_URL",
			opts: Options{Endpoint: "http://127.0.0.1:5000"},
			env:  with(map[string]string{"AWS_ENDPOINT_URL": "http://elsewhere:1"}), region: "eu-west-1",
			creds:    aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"},
			endpoint: "http://127.0.0.1:5000", attempts: 3},
		{name: "AWS_ENDPOINT_URL is the base endpoint when no ISB endpoint is given",
			env: with(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}), region: "eu-west-1",
			creds:    aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"},
			endpoint: "http://127.0.0.1:4566", attempts: 3},
		{name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS drops AWS_ENDPOINT_URL",
			env: with(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
				"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}), region: "eu-west-1",
			creds:    aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN"},
			attempts: 3},
		{name: "without a key in the environment the first call fails naming the variables",
			env: with(map[string]string{"AWS_ACCESS_KEY_ID": ""}), region: "eu-west-1",
			noCredential: true, attempts: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Build(tc.opts, tc.env)
			if cfg.Region != tc.region {
				t.Errorf("region = %q, want %q", cfg.Region, tc.region)
			}
			got, err := cfg.Credentials.Retrieve(context.Background())
			switch {
			case tc.noCredential:
				if !errors.Is(err, ErrNoCredentials) {
					t.Errorf("credentials error = %v, want ErrNoCredentials", err)
				}
			case err != nil:
				t.Errorf("credentials: %v", err)
			case got.AccessKeyID != tc.creds.AccessKeyID || got.SecretAccessKey != tc.creds.SecretAccessKey ||
				got.SessionToken != tc.creds.SessionToken:
				t.Errorf("credentials = %+v, want %+v", got, tc.creds)
			}
			if e := aws.ToString(cfg.BaseEndpoint); e != tc.endpoint {
				t.Errorf("base endpoint = %q, want %q", e, tc.endpoint)
			}
			if n := cfg.Retryer().MaxAttempts(); n != tc.attempts {
				t.Errorf("max attempts = %d, want %d", n, tc.attempts)
			}
		})
	}
}

func TestLoadReadsTheProcessEnvironmentOnce(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "first")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	cfg, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's default chain reads the environment's keys when the
	// configuration is loaded; a later change is not seen.
	t.Setenv("AWS_ACCESS_KEY_ID", "second")
	got, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-central-1" || got.AccessKeyID != "first" {
		t.Errorf("region %q, key %q; want eu-central-1, first", cfg.Region, got.AccessKeyID)
	}
}
