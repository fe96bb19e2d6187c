package wiring

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/names"
)

func TestTheQuotaBackoffComesFromTheEnvironmentAndABadOneStopsTheStart(t *testing.T) {
	tests := []struct {
		name    string
		backoff string // "" leaves it unset
		wantErr bool
	}{
		{name: "unset keeps the worker's default", backoff: ""},
		{name: "a number of seconds is taken", backoff: "2"},
		{name: "zero is refused", backoff: "0", wantErr: true},
		{name: "more than SQS's longest delay is refused", backoff: "901", wantErr: true},
		{name: "a word is refused", backoff: "soon", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := Function.Env(func(k string) string {
				if k == names.EnvCleanupQuotaBackoffSeconds {
					return tt.backoff
				}
				return "x"
			})
			_, err := Function.Build(context.Background(), env, aws.Config{Region: "us-east-1"})
			if tt.wantErr != (err != nil) {
				t.Fatalf("Build error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), names.EnvCleanupQuotaBackoffSeconds) {
				t.Errorf("error %q does not name %s", err, names.EnvCleanupQuotaBackoffSeconds)
			}
		})
	}
}
