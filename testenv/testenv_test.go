package testenv

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

// query runs sql through psql and returns its unaligned output.
func query(t *testing.T, dsn, sql string) string {
	t.Helper()
	bin, _ := findBin()
	psql, err := findTool(bin, "psql")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(psql, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", sql).CombinedOutput()
	if err != nil {
		t.Fatalf("psql -c %q: %v: %s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestPostgres(t *testing.T) {
	start := time.Now()
	dsn := Postgres(t)
	t.Logf("first Postgres call (cluster start + database) took %v", time.Since(start))

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("DSN %q does not parse: %v", dsn, err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if u.Scheme != "postgres" || u.Hostname() == "" || u.Port() == "" ||
		!strings.HasPrefix(name, "t_testpostgres_") || u.Query().Get("sslmode") == "" {
		t.Errorf("unexpected DSN %q", dsn)
	}
	if got := query(t, dsn, "SELECT 1"); got != "1" {
		t.Errorf("SELECT 1 = %q", got)
	}
	if got := query(t, dsn, "SELECT current_database()"); got != name {
		t.Errorf("current_database() = %q, want %q", got, name)
	}
	if got := query(t, dsn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"); got != "0" {
		t.Errorf("fresh database has %s tables", got)
	}

	// Parallel callers each get their own database, and Cleanup drops them.
	admin := proc.srv.admin.String()
	dsns := make([]string, 4)
	t.Run("group", func(t *testing.T) {
		for i := range dsns {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				dsns[i] = Postgres(t)
				t.Logf("Postgres took %v", time.Since(start))
				query(t, dsns[i], "CREATE TABLE x (id int)")
			})
		}
	})
	for _, d := range dsns {
		u, _ := url.Parse(d)
		db := strings.TrimPrefix(u.Path, "/")
		if got := query(t, admin, "SELECT count(*) FROM pg_database WHERE datname = '"+db+"'"); got != "0" {
			t.Errorf("database %s still exists after its test ended", db)
		}
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"TestFoo":                "testfoo",
		"TestFoo/sub case#01":    "testfoo_sub_case_01",
		"Test_ünïcode-name":      "test__n_code_name",
		strings.Repeat("Ab", 30): strings.Repeat("ab", 20),
		"Test/" + "x\"; DROP --": "test_x___drop___",
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	if n := dbName(strings.Repeat("x", 100)); len(n) > 63 {
		t.Errorf("dbName is %d bytes, over PostgreSQL's 63", len(n))
	}
	if first, second := dbName("T"), dbName("T"); first == second {
		t.Error("dbName is not unique")
	}
}

// TestUnavailable re-runs this test binary with no usable PostgreSQL and
// checks that Postgres skips, or fails when HAVEN_REQUIRE_REAL=1.
func TestUnavailable(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") == "1" {
		Postgres(t)
		t.Log("Postgres returned although no PostgreSQL is available")
		return
	}
	for _, require := range []string{"", "1"} {
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, envDSN+"=") && !strings.HasPrefix(kv, envBin+"=") && !strings.HasPrefix(kv, envRequire+"=") {
				env = append(env, kv)
			}
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestUnavailable$", "-test.v")
		cmd.Env = append(env, "TESTENV_CHILD=1", envBin+"=/nonexistent", envRequire+"="+require)
		out, err := cmd.CombinedOutput()
		switch {
		case require == "1" && (err == nil || !strings.Contains(string(out), "--- FAIL") || !strings.Contains(string(out), "apt-get install postgresql")):
			t.Errorf("with %s=1: want a failure naming what to install, got err=%v:\n%s", envRequire, err, out)
		case require == "" && (err != nil || !strings.Contains(string(out), "--- SKIP")):
			t.Errorf("without %s: want a skip, got err=%v:\n%s", envRequire, err, out)
		}
		if testing.Verbose() {
			t.Logf("%s=%q:\n%s", envRequire, require, out)
		}
	}
}
