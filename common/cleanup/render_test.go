package cleanup

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/isb-go/isb/common/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func readTemplate(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "nuke-config", "nuke-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var testAccounts = Accounts{Cleanup: "111111111111", Hub: "222222222222", Management: "333333333333", IDC: "444444444444"}

func TestRenderMatchesTheGoldenFiles(t *testing.T) {
	tmpl := readTemplate(t)
	for _, tt := range []struct {
		name, golden string
		in           RenderInput
	}{
		{
			name:   "every enabled region, sorted, after global",
			golden: "rendered-aws.yaml",
			in: RenderInput{Accounts: testAccounts, CleanupRoleName: "isb-dev-SandboxAccountRole", LesseeRoleName: "Lessee-isb-dev-LesseeRole",
				Regions: []string{"us-west-2", "eu-west-1", "us-east-1", "eu-west-1", "ap-south-2"}},
		},
		{
			name:   "an emulator endpoint cleans the first region with custom endpoints",
			golden: "rendered-emulator.yaml",
			in: RenderInput{Accounts: testAccounts, CleanupRoleName: "isb-dev-SandboxAccountRole", LesseeRoleName: "Lessee-isb-dev-LesseeRole",
				Regions: []string{"eu-west-1", "us-east-1"}, Endpoint: "http://127.0.0.1:5000", HomeRegion: "us-east-1"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Render(tmpl, tt.in)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			got, err := r.YAML()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("rendered config mismatch (-want +got); run go test -update if intended:\n%s", diff)
			}
			// What aws-nuke reads back must be a valid configuration.
			if _, err := config.ParseNuke(stripEndpoints(got)); err != nil {
				t.Errorf("rendered config does not parse: %v", err)
			}
		})
	}
}

// stripEndpoints drops the endpoints block, which config.Nuke does not model.
func stripEndpoints(b []byte) []byte {
	s := string(b)
	if i := strings.Index(s, "\nendpoints:"); i >= 0 {
		s = s[:i+1]
	}
	return []byte(s)
}

func TestRenderProtectsThePlatformAccounts(t *testing.T) {
	tmpl := readTemplate(t)
	// A template that forgot the management and IDC accounts.
	thin := strings.Replace(string(tmpl), "  - \"%MANAGEMENT_ACCOUNT_ID%\"\n  - \"%IDC_ACCOUNT_ID%\"\n", "", 1)
	if thin == string(tmpl) {
		t.Fatal("test setup: the template no longer lists the management and IDC accounts this way")
	}
	r, err := Render([]byte(thin), RenderInput{Accounts: testAccounts, CleanupRoleName: "r", LesseeRoleName: "l",
		Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"222222222222", "333333333333", "444444444444"}, r.Blocklist); diff != "" {
		t.Errorf("blocklist mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"111111111111"}, r.BypassAliasCheckAccounts); diff != "" {
		t.Errorf("bypass-alias-check-accounts mismatch (-want +got):\n%s", diff)
	}
}

func TestRenderRefusesBadInput(t *testing.T) {
	tmpl := readTemplate(t)
	ok := RenderInput{Accounts: testAccounts, CleanupRoleName: "isb-dev-SandboxAccountRole", LesseeRoleName: "Lessee-isb-dev-LesseeRole", Regions: []string{"us-east-1"}}
	for _, tt := range []struct {
		name   string
		change func(*RenderInput)
		tmpl   string
		want   string
	}{
		{name: "the hub account is never cleaned", change: func(in *RenderInput) { in.Accounts.Cleanup = in.Accounts.Hub }, want: "platform's own accounts"},
		{name: "the management account is never cleaned", change: func(in *RenderInput) { in.Accounts.Cleanup = in.Accounts.Management }, want: "platform's own accounts"},
		{name: "the IDC account is never cleaned", change: func(in *RenderInput) { in.Accounts.Cleanup = in.Accounts.IDC }, want: "platform's own accounts"},
		{name: "an account id must be 12 digits", change: func(in *RenderInput) { in.Accounts.Cleanup = "12345" }, want: "not 12 digits"},
		{name: "a role name with a space is refused", change: func(in *RenderInput) { in.CleanupRoleName = "a b" }, want: "not an IAM role name"},
		{name: "a missing lessee role name is refused", change: func(in *RenderInput) { in.LesseeRoleName = "" }, want: "not an IAM role name"},
		{name: "no regions is refused", change: func(in *RenderInput) { in.Regions = []string{"global"} }, want: "no enabled regions"},
		{name: "an emulator home region must be enabled", change: func(in *RenderInput) { in.Endpoint, in.HomeRegion = "http://127.0.0.1:1", "eu-north-1" }, want: "home region"},
		{name: "an unknown placeholder is refused", tmpl: strings.Replace(string(tmpl), "all-org-cloud-trail", "\"%OTHER%\"", 1), want: "%OTHER%"},
		{name: "a template without the cleanup account is refused", tmpl: strings.Replace(string(tmpl), "\"%CLEANUP_ACCOUNT_ID%\":", "\"999999999999\":", 1), want: "no accounts entry"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			if tt.change != nil {
				tt.change(&in)
			}
			src := tmpl
			if tt.tmpl != "" {
				src = []byte(tt.tmpl)
			}
			_, err := Render(src, in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Render error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
