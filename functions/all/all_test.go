package all_test

import (
	"context"
	"os"
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
	if key == names.EnvWatchdogMaxAgeMinutes || key == names.EnvDriftGraceSeconds {
		return "90"
	}
	return "placeholder-" + key
}
