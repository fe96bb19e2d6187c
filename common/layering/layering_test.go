package layering

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// rules are the packages that decide: they are handed adapters through
// small interfaces of their own and never call AWS themselves.
var rules = []string{"lifecycle", "pool", "drift", "monitor", "notify", "report", "cleanup"}

// adapters under a rule package, which may use the SDK, and why.
var adapters = map[string]string{
	"cleanup/nuke":     "runs aws-nuke against the sandbox account (the cleaner program's adapter)",
	"cleanup/worker":   "the CodeBuild worker: starts builds and reads queues",
	"cleanup/localrun": "the local stand-ins for CodeBuild: a StartBuild endpoint and a build-queue reader; answer Step Functions",
	"lifecycle/chain":  "builds the Organizations and Identity Center adapters through the hub's role chain",
}

const module = "github.com/isb-go/isb/common/"

func isSDK(path string) bool {
	return strings.HasPrefix(path, "github.com/aws/aws-sdk-go-v2") || strings.HasPrefix(path, "github.com/aws/smithy-go")
}

// list runs go list over the rule packages and their subpackages: import
// path → its non-test imports, deps included.
func list(t *testing.T) map[string][]string {
	t.Helper()
	args := []string{"list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}
	for _, r := range rules {
		args = append(args, "../"+r+"/...")
	}
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	imports := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		imports[f[0]] = f[1:]
	}
	return imports
}

func TestRulePackagesDoNotImportTheAWSSDK(t *testing.T) {
	imports := list(t)
	var checked []string
	for path, imps := range imports {
		rel, ok := strings.CutPrefix(path, module)
		if !ok || !isRule(rel) {
			continue
		}
		checked = append(checked, rel)
		if _, ok := adapters[rel]; ok {
			continue
		}
		t.Run(rel+" imports no SDK package and reaches none", func(t *testing.T) {
			for _, imp := range imps {
				if isSDK(imp) {
					t.Errorf("%s imports %s: declare an interface and hand it an adapter", rel, imp)
				}
			}
			for _, via := range reaches(imports, path) {
				t.Errorf("%s reaches the SDK through %s", rel, via)
			}
		})
	}
	for _, r := range rules {
		if !slices.Contains(checked, r) {
			t.Errorf("rule package %s was not listed", r)
		}
	}
}

func isRule(rel string) bool {
	for _, r := range rules {
		if rel == r || strings.HasPrefix(rel, r+"/") {
			return true
		}
	}
	return false
}

// reaches lists the packages of the module reached from path that import
// the SDK (an adapter under a rule package included: a rule package must
// not import one).
func reaches(imports map[string][]string, path string) []string {
	seen := map[string]bool{path: true}
	var out []string
	stack := []string{path}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, imp := range imports[p] {
			rel, ours := strings.CutPrefix(imp, module)
			if seen[imp] || !ours {
				continue
			}
			seen[imp] = true
			if slices.ContainsFunc(imports[imp], isSDK) {
				out = append(out, rel)
			}
			stack = append(stack, imp)
		}
	}
	slices.Sort(out)
	return out
}

func TestTheAllowListsNameRealPackages(t *testing.T) {
	imports := list(t)
	for rel := range adapters {
		if _, ok := imports[module+rel]; !ok {
			t.Errorf("allowed adapter %s is not a package under a rule package", rel)
		}
	}
}
