package all_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/all"
)

// commands are the directories under functions/ holding a main.go: the
// functions infra builds.
func commands(t *testing.T) []string {
	t.Helper()
	mains, err := filepath.Glob(filepath.Join("..", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, m := range mains {
		dirs = append(dirs, filepath.Base(filepath.Dir(m)))
	}
	return dirs
}

func TestEveryFunctionDirectoryIsListedOnceUnderItsName(t *testing.T) {
	var listed []string
	for _, f := range all.Functions {
		listed = append(listed, f.Name)
	}
	if dirs := commands(t); !slices.Equal(listed, dirs) {
		t.Errorf("all.Functions names %v,\nfunctions/ has %v", listed, dirs)
	}
}

func TestEveryFunctionIsInTheNamesTableWithTheEnvironmentItNeeds(t *testing.T) {
	var listed, table []string
	for _, f := range all.Functions {
		listed = append(listed, f.Name)
		if l, ok := names.LambdaNamed(f.Name); ok && !slices.Equal(f.Needs, l.Env) {
			t.Errorf("%s needs %v, the names table says %v", f.Name, f.Needs, l.Env)
		}
	}
	for _, l := range names.Lambdas {
		table = append(table, l.Dir)
	}
	if !slices.Equal(listed, table) {
		t.Errorf("all.Functions names %v,\nnames.Lambdas has %v", listed, table)
	}
}

func TestEveryMainStartsItsWiringThroughBoot(t *testing.T) {
	for _, dir := range commands(t) {
		t.Run(dir, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("..", dir, "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(strings.Split(string(src), "\n"), "func main() { boot.Main(wiring.Function) }") {
				t.Errorf("%s/main.go does not start boot.Main(wiring.Function)", dir)
			}
		})
	}
}

// Building a handler must not touch the network: with every needed key
// set to a placeholder and no reachable endpoint, each Build succeeds and
// gives something the Lambda runtime accepts.
func TestEveryFunctionBuildsAHandlerWithoutTheNetwork(t *testing.T) {
	for _, f := range all.Functions {
		t.Run(f.Name, func(t *testing.T) {
			env, missing := f.Env(placeholder)
			if len(missing) > 0 {
				t.Fatalf("missing %v", missing)
			}
			cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1")}
			h, err := f.Build(context.Background(), env, cfg)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if h == nil {
				t.Fatal("Build returned no handler")
			}
			if _, ok := h.(lambda.Handler); !ok && reflect.TypeOf(h).Kind() != reflect.Func {
				t.Errorf("Build returned a %T, neither a function nor a lambda.Handler", h)
			}
		})
	}
}

func placeholder(key string) string {
	switch key {
	case names.EnvWatchdogMaxAgeMinutes, names.EnvDriftGraceSeconds, names.EnvCleanupQuotaBackoffSeconds:
		return "90"
	}
	return "placeholder-" + key
}

// deps are the packages each function links, as make build-lambdas
// builds it (tag lambda.norpc).
func deps(t *testing.T, dir string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "-f", "{{.ImportPath}}", "./"+dir)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	return strings.Fields(string(out))
}

// Packages no function may link, and why:
//   - text/template looks methods up by name at run time, so a program
//     linking it keeps every exported method of every type it links (the
//     email notifier was 22 MB for it); html/template runs on it. sso may:
//     its SAML library renders its POST form with html/template, and sso
//     stays within 15 MB.
//   - the SSM client's package initialisation cost each of the eight
//     functions that read one parameter about 2 ms and 1.4 MiB at start;
//     common/paramstore reads parameters instead.
//   - the SDK's config package links the clients of its default chain
//     (SSO, SSO OIDC, sign-in, IMDS: about 1 ms of start-up); in Lambda
//     the credentials are in the environment, which awscfg.Load reads.
//   - a service's schemas package (schema-based serialisation, in SDK
//     releases after those go.mod pins) builds its tables at package
//     initialisation, up to 1 ms and 600 KB a service. DynamoDB's (and
//     DynamoDB Streams', which attributevalue links) stay for now: the
//     cleanup state machine's emulator tests failed with their last
//     releases without one, but later failed the same way with these on
//     a loaded machine, so the older releases are worth a retry.
//   - STS only for the functions that assume a role (awscfg/rolechain),
//     KMS only for those that sign or rotate keys (auth/kmssign): each
//     client's endpoint tables cost its package initialisation.
func TestNoFunctionLinksWhatMakesItLargeOrSlowToStart(t *testing.T) {
	const sdk = "github.com/aws/aws-sdk-go-v2/"
	forbidden := []string{"text/template", "html/template", sdk + "service/ssm", sdk + "config",
		sdk + "service/sso", sdk + "service/ssooidc", sdk + "service/signin", sdk + "feature/ec2/imds",
		sdk + "service/sts", sdk + "service/kms"}
	sts := []string{sdk + "service/sts"}
	dynamoSchemas := []string{sdk + "service/dynamodb/schemas", sdk + "service/dynamodbstreams/schemas"}
	allowed := map[string][]string{
		names.LambdaSSO:           {"text/template", "html/template", sdk + "service/sts", sdk + "service/kms"},
		names.LambdaJWTRotator:    {sdk + "service/kms"},
		names.LambdaAPIAccounts:   sts,
		names.LambdaAPILeases:     sts, // lessee sessions in a leased account
		names.LambdaCostReporter:  sts,
		names.LambdaDriftMonitor:  sts,
		names.LambdaEmailNotifier: sts,
		names.LambdaLeaseMonitor:  sts,
		names.LambdaLifecycle:     sts,
	}
	for _, dir := range commands(t) {
		t.Run(dir, func(t *testing.T) {
			for _, pkg := range deps(t, dir) {
				if slices.Contains(forbidden, pkg) && !slices.Contains(allowed[dir], pkg) ||
					strings.HasPrefix(pkg, sdk) && strings.HasSuffix(pkg, "/schemas") &&
						!slices.Contains(dynamoSchemas, pkg) {
					t.Errorf("%s links %s", dir, pkg)
				}
			}
		})
	}
}
