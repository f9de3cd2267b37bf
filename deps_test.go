package haven_test

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The dependency rule of DESIGN.md §2: which of the module's packages each package may import.
// "*" means any package of the module except cmd/…; third-party imports are checked separately.
var allowedImports = map[string][]string{
	"haven":           {},
	"haven/textnorm":  {},
	"haven/auth":      {},
	"haven/testenv":   {"haven/keyring"},
	"haven/sample":    {},
	"haven/blob":      {"haven", "haven/keyring"},
	"haven/keyring":   {},
	"haven/service":   {"haven", "haven/auth", "haven/textnorm", "haven/playbook", "haven/markdown", "haven/i18n", "haven/indicator", "haven/indicator/attack", "haven/indicator/share"}, // i18n: staff emails in their language; tests may use sqldb, bench, sample
	"haven/playbook":  {"haven"},
	"haven/markdown":  {"haven"},
	"haven/library":   {},
	"haven/sqldb":     {"haven", "haven/textnorm", "haven/keyring"},
	"haven/storetest": {"haven"},
	"haven/web":       {"haven", "haven/i18n", "haven/textnorm", "haven/report", "haven/indicator/attack"}, // attack: technique names as data
	"haven/bench":     {"haven", "haven/sample"},
	"haven/jobs":      {"haven"},
	"haven/metrics":   {"haven"}, // prometheus instruments fed by hooks; only cmd/haven wires it
	"haven/email":     {"haven", "haven/pgp"},
	"haven/pgp":       {},
	"haven/i18n":      {},
	"haven/report":    {},
	"haven/indicator": {}, // pure: text in, observables out

	"haven/indicator/attack": {}, // pure data: ATT&CK technique ids, names and tactics

	"haven/cmd/haven": {"*"},

	"haven/indicator/share": {"haven/indicator"},
}

// forbiddenThirdParty lists module prefixes a package must never reach, even indirectly.
var forbiddenThirdParty = map[string][]string{
	"haven":         {"."}, // the root imports only the standard library
	"haven/web":     {"modernc.org/sqlite", "github.com/jackc/pgx"},
	"haven/service": {"modernc.org/sqlite", "github.com/jackc/pgx"},
}

// forbiddenImports lists standard packages that neither a package nor any of the module's
// packages it depends on may import itself. The service layer knows nothing of HTTP; it still
// links net/http through golang.org/x/net/publicsuffix (the indicator extractor's list of public
// suffixes implements net/http/cookiejar's interface), which uses no HTTP either.
var forbiddenImports = map[string][]string{
	"haven/service": {"net/http"},
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

func listPackages(t *testing.T) []listedPackage {
	out, err := exec.Command("go", "list", "-e", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p.shortened())
	}
	return pkgs
}

// modulePath is the module's published path; the tables above name its packages "haven/…" to
// stay readable, so listed paths are shortened to that form before they are checked.
const modulePath = "github.com/haven-helpline/haven"

func shortPath(p string) string {
	if p == modulePath || strings.HasPrefix(p, modulePath+"/") {
		return "haven" + strings.TrimPrefix(p, modulePath)
	}
	return p
}

func (p listedPackage) shortened() listedPackage {
	short := func(paths []string) []string {
		out := make([]string, len(paths))
		for i, path := range paths {
			out[i] = shortPath(path)
		}
		return out
	}
	p.ImportPath, p.Imports, p.Deps = shortPath(p.ImportPath), short(p.Imports), short(p.Deps)
	return p
}

func TestDependencyRule(t *testing.T) {
	pkgs := listPackages(t)
	byPath := map[string]listedPackage{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	for _, p := range pkgs {
		allowed, known := allowedImports[p.ImportPath]
		if !known {
			t.Errorf("package %s has no entry in allowedImports: add it with its allowed imports", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			if !isModulePackage(imp) {
				continue
			}
			if !permits(allowed, imp) {
				t.Errorf("%s imports %s, which the dependency rule forbids (allowed: %v)", p.ImportPath, imp, allowed)
			}
		}
		checkForbiddenImports(t, p, byPath)
		for _, dep := range p.Deps {
			for _, bad := range forbiddenThirdParty[p.ImportPath] {
				if (bad == "." && strings.Contains(strings.Split(dep, "/")[0], ".")) || (bad != "." && strings.HasPrefix(dep, bad)) {
					t.Errorf("%s depends on %s", p.ImportPath, dep)
				}
			}
		}
	}
}

// checkForbiddenImports fails when p, or a module package p depends on, imports a package
// forbiddenImports names for p.
func checkForbiddenImports(t *testing.T, p listedPackage, byPath map[string]listedPackage) {
	t.Helper()
	for _, path := range append([]string{p.ImportPath}, p.Deps...) {
		if !isModulePackage(path) {
			continue
		}
		for _, imp := range byPath[path].Imports {
			if slices.Contains(forbiddenImports[p.ImportPath], imp) {
				t.Errorf("%s depends on %s, which imports %s", p.ImportPath, path, imp)
			}
		}
	}
}

func permits(allowed []string, imp string) bool {
	for _, a := range allowed {
		if a == imp || (a == "*" && !strings.HasPrefix(imp, "haven/cmd/")) {
			return true
		}
	}
	return false
}

func isModulePackage(p string) bool { return p == "haven" || strings.HasPrefix(p, "haven/") }

// TestDependencyRuleCatchesViolations checks the checker itself: web importing sqldb must fail.
func TestDependencyRuleCatchesViolations(t *testing.T) {
	if permits(allowedImports["haven/web"], "haven/sqldb") {
		t.Fatal("the rule would let web import sqldb")
	}
	if permits(allowedImports["haven/service"], "haven/web") {
		t.Fatal("the rule would let service import web")
	}
	if !permits(allowedImports["haven/cmd/haven"], "haven/sqldb") || permits(allowedImports["haven/bench"], "haven/cmd/haven") {
		t.Fatal("wiring packages: cmd may import anything, nothing may import cmd")
	}
}
