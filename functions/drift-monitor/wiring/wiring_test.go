package wiring

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/names"
)

func TestTheDriftGraceComesFromTheEnvironmentAndABadOneStopsTheStart(t *testing.T) {
	tests := []struct {
		name    string
		grace   string // "" leaves it unset
		wantErr bool
	}{
		{name: "unset keeps the drift package's default", grace: ""},
		{name: "a number of seconds is taken", grace: "30"},
		{name: "zero is refused", grace: "0", wantErr: true},
		{name: "a word is refused", grace: "soon", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := Function.Env(func(k string) string {
				if k == names.EnvDriftGraceSeconds {
					return tt.grace
				}
				return "x"
			})
			_, err := Function.Build(context.Background(), env, aws.Config{Region: "us-east-1"})
			if tt.wantErr != (err != nil) {
				t.Fatalf("Build error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), names.EnvDriftGraceSeconds) {
				t.Errorf("error %q does not name %s", err, names.EnvDriftGraceSeconds)
			}
		})
	}
}
