package emulator_test

// The launcher's own behaviour: what it adds to moto (the health and
// control endpoints, the AWS managed policies) and how it fails to start.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/isb-go/isb/test/emulator"
)

func TestHealthEndpointReportsTheMotoVersion(t *testing.T) {
	resp, err := http.Get(emulator.URL() + "/_local/health")
	if err != nil {
		t.Fatalf("GET /_local/health: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body struct{ Status, Moto string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode health: %v", err)
	}
	if resp.StatusCode != http.StatusOK || body.Status != "ok" || !strings.HasPrefix(body.Moto, "5.2.") {
		t.Errorf("health = %d %+v, want 200 ok with moto 5.2.x", resp.StatusCode, body)
	}
}

func TestPostJSONReachesControlEndpoints(t *testing.T) {
	emulator.Config(t)
	err := emulator.PostJSON(t.Context(), "/moto-api/static/ce/cost-and-usage-results", map[string]any{
		"results": []any{map[string]any{"ResultsByTime": []any{}}},
	})
	if err != nil {
		t.Errorf("post static CE results: %v", err)
	}
	if err := emulator.PostJSON(t.Context(), "/moto-api/no-such-endpoint", map[string]any{}); err == nil {
		t.Error("post to an unknown endpoint: want an error")
	}
}

func TestStartExplainsAMissingPythonOrMoto(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 must be on PATH for the emulator tests: %v", err)
	}
	// An interpreter that cannot see site-packages behaves like one without moto.
	noMoto := filepath.Join(t.TempDir(), "python-without-moto")
	script := fmt.Sprintf("#!/bin/sh\nexec %q -I -S \"$@\"\n", python)
	if err := os.WriteFile(noMoto, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		python string
		want   []string
	}{
		{
			name:   "an interpreter that does not exist is named with the fix",
			python: "no-such-python-isb",
			want:   []string{`"no-such-python-isb"`, emulator.EnvPython, "moto 5.2.1"},
		},
		{
			name:   "an interpreter without moto is reported with the fix",
			python: noMoto,
			want:   []string{"cannot import moto", "moto 5.2.1", "PyPI", emulator.EnvPython},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(emulator.EnvURL, "")
			t.Setenv(emulator.EnvPython, tt.python)
			srv, err := emulator.Start(t.Context())
			if err == nil {
				srv.Stop()
				t.Fatal("Start succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestAWSManagedPoliciesAreLoaded(t *testing.T) {
	out, err := iam.NewFromConfig(emulator.Config(t)).GetPolicy(t.Context(), &iam.GetPolicyInput{
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	if err != nil {
		t.Fatalf("GetPolicy AdministratorAccess: %v", err)
	}
	if got := aws.ToString(out.Policy.PolicyName); got != "AdministratorAccess" {
		t.Errorf("GetPolicy AdministratorAccess names %q", got)
	}
}
