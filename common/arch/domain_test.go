package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/isb-go/isb/common/"

// services decide; they name what they use through their own small
// interfaces and the domain's types, never the DynamoDB adapter.
var services = []string{"leasing", "catalog", "pool", "monitor", "lifecycle", "drift", "report", "notify", "cleanup", "configview"}

func TestServicesDoNotDependOnTheStore(t *testing.T) {
	for _, svc := range services {
		t.Run(svc+" does not import ddbstore", func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+svc).CombinedOutput()
			if err != nil {
				t.Fatalf("go list %s: %v\n%s", svc, err, out)
			}
			deps := strings.Fields(string(out))
			if !slices.Contains(deps, module+svc) {
				t.Fatalf("go list named no package %s: %s", svc, out)
			}
			if slices.Contains(deps, module+"ddbstore") {
				t.Errorf("%s depends on common/ddbstore; declare an interface for what it calls and use page, lease and account types", svc)
			}
		})
	}
}

// sources parses every non-test Go file under the given directories of
// the repository, keyed by its directory relative to the repository.
func sources(t *testing.T, dirs ...string) map[string][]*ast.File {
	t.Helper()
	files := map[string][]*ast.File{}
	fset := token.NewFileSet()
	for _, d := range dirs {
		root := filepath.Join("..", "..", d)
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() && (e.Name() == "testdata" || e.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join("..", ".."), filepath.Dir(path))
			files[filepath.ToSlash(rel)] = append(files[filepath.ToSlash(rel)], f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) == 0 {
		t.Fatal("no sources found")
	}
	return files
}

// where returns the directories in which visit reports a match.
func where(files map[string][]*ast.File, match func(ast.Node) bool) []string {
	var dirs []string
	for dir, fs := range files {
		for _, f := range fs {
			ast.Inspect(f, func(n ast.Node) bool {
				if n != nil && match(n) && !slices.Contains(dirs, dir) {
					dirs = append(dirs, dir)
				}
				return true
			})
		}
	}
	slices.Sort(dirs)
	return dirs
}

func TestTheTTLOfAnEndedLeaseIsSetOnlyByTheLeasePackage(t *testing.T) {
	assignsTTL := func(n ast.Node) bool {
		a, ok := n.(*ast.AssignStmt)
		if !ok {
			return false
		}
		for _, lhs := range a.Lhs {
			if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "TTL" {
				return true
			}
		}
		return false
	}
	got := where(sources(t, "common", "functions", "cmd"), assignsTTL)
	if !slices.Equal(got, []string{"common/lease"}) {
		t.Errorf("a TTL is assigned in %v; only common/lease may (lease.Lease.End)", got)
	}
}

func TestEventsAreDeliveredOnlyThroughTheCommitPort(t *testing.T) {
	callsDeliver := func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := c.Fun.(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "Deliver"
	}
	got := where(sources(t, "common", "functions", "cmd"), callsDeliver)
	// outbox.Commit delivers; the lease monitor's commits keep their
	// records for the end of the pass, which delivers them ten to a
	// PutEvents.
	if want := []string{"common/monitor", "common/outbox"}; !slices.Equal(got, want) {
		t.Errorf("Deliver is called in %v, want only %v: commit rows and events with outbox.Commit", got, want)
	}
}
