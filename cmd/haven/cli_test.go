package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// buildHaven compiles the real binary once per test run.
func buildHaven(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "haven")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func runHaven(t *testing.T, bin string, env []string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// TestCLIContract drives the real binary the way operators and outside checks do.
func TestCLIContract(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		if out, errOut, err := runHaven(t, bin, nil, "migrate", "--db", db); err != nil || !strings.Contains(out, "applied") {
			t.Fatalf("migrate: %v %s %s", err, out, errOut)
		}
		if _, errOut, err := runHaven(t, bin, []string{"HAVEN_PASSWORD=a long password here"}, "user", "add", "--db", db, "--role", "admin", "alice"); err != nil {
			t.Fatalf("user add: %v %s", err, errOut)
		}
		out, _, err := runHaven(t, bin, nil, "user", "add", "--db", db, "bob")
		if err != nil || !regexp.MustCompile(`password \(shown once\): \S{20}`).MatchString(out) {
			t.Fatalf("generated password not printed: %v %q", err, out)
		}
		token, _, err := runHaven(t, bin, nil, "token", "create", "--db", db, "--user", "alice")
		if err != nil || !regexp.MustCompile(`^hvt_[a-z2-7]+\n$`).MatchString(token) {
			t.Fatalf("token create must print only the token: %v %q", err, token)
		}
		if _, errOut, err := runHaven(t, bin, nil, "user", "add", "--db", db, "--role", "wizard", "carol"); err == nil || !strings.Contains(errOut, "role") {
			t.Fatalf("bad role accepted: %s", errOut)
		}
		if out, _, _ := runHaven(t, bin, []string{"HAVEN_DB=" + db}, "user", "list"); !regexp.MustCompile(`(?m)^alice\s+admin\s+active\b`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^bob\s+handler\s+one-time-password\b`).MatchString(out) {
			t.Fatalf("user list via HAVEN_DB: alice chose her password, bob's was generated and must be replaced: %q", out)
		}
		serveAndCall(t, bin, []string{"HAVEN_DB=" + db}, strings.TrimSpace(token), false)
		if out, errOut, err := runHaven(t, bin, nil, "compartment", "add-member", "--db", db, "child-safety", "alice"); err != nil || !strings.Contains(out, "child-safety: alice") {
			t.Fatalf("compartment add-member: %v %q %s", err, out, errOut)
		}
		checkAuditCommands(t, bin, db)
		other, _, _ := runHaven(t, bin, nil, "key", "generate")
		if _, errOut, err := runHaven(t, bin, []string{"HAVEN_MASTER_KEY=" + strings.TrimSpace(other)}, "user", "list", "--db", db); err == nil || !strings.Contains(errOut, "wrong master key") {
			t.Fatalf("a wrong master key must be refused: %v %s", err, errOut)
		}
		forgetLastMigration(t, db)
		if _, errOut, err := runHaven(t, bin, nil, "serve", "--db", db, "--listen", freeAddr(t)); err == nil || !strings.Contains(errOut, "haven migrate") {
			t.Fatalf("serve must refuse a schema that is behind: %v %s", err, errOut)
		}
	})
}

// checkAuditCommands: export prints the events as JSON lines; verify passes, then names the
// event that was edited directly in the database.
func checkAuditCommands(t *testing.T, bin, db string) {
	t.Helper()
	out, errOut, err := runHaven(t, bin, nil, "audit", "export", "--db", db, "--action", "user.")
	if err != nil || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"action":"user.created"`) {
		t.Fatalf("audit export: %v %s %q", err, errOut, out)
	}
	if out, errOut, err := runHaven(t, bin, nil, "audit", "verify", "--db", db); err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify on an intact chain: %v %s %s", err, out, errOut)
	}
	rawExec(t, db, `UPDATE events SET action = 'user.deleted' WHERE seq = 2`)
	_, errOut, err = runHaven(t, bin, nil, "audit", "verify", "--db", db)
	if err == nil || !regexp.MustCompile(`event \d+ \(position 2\)`).MatchString(errOut) {
		t.Fatalf("audit verify after tampering must fail naming position 2: %v %s", err, errOut)
	}
	rawExec(t, db, `UPDATE events SET action = 'user.created' WHERE seq = 2`)
}

// forgetLastMigration makes the schema look one version behind the binary.
func forgetLastMigration(t *testing.T, dsn string) {
	t.Helper()
	rawExec(t, dsn, `DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`)
}

// rawExec changes the database behind Haven's back, as an attacker or a careless operator would.
func rawExec(t *testing.T, dsn, stmt string) {
	t.Helper()
	driver := "sqlite"
	if sqldb.IsPostgresURL(dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatal(err)
	}
}

// forEachDatabase runs fn against a fresh SQLite file and a fresh PostgreSQL database, each with a
// new master key in HAVEN_MASTER_KEY.
// migratedDB returns a runner of bin on db, after migrating db.
func migratedDB(t *testing.T, bin, db string) func(args ...string) (string, string, error) {
	t.Helper()
	run := func(args ...string) (string, string, error) {
		return runHaven(t, bin, nil, append(args, "--db", db)...)
	}
	if _, errOut, err := run("migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, errOut)
	}
	return run
}

func forEachDatabase(t *testing.T, bin string, fn func(t *testing.T, db string)) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "h.db") },
		"postgres": func(t *testing.T) string { return testenv.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			db := dsn(t)
			useNewMasterKey(t, bin)
			fn(t, db)
		})
	}
}

// useNewMasterKey runs `haven key generate` and sets HAVEN_MASTER_KEY to its output for the test.
func useNewMasterKey(t *testing.T, bin string) {
	t.Helper()
	key, _, err := runHaven(t, bin, nil, "key", "generate")
	if err != nil || !strings.HasPrefix(key, "haven-master-key-v1:") {
		t.Fatalf("key generate: %v %q", err, key)
	}
	t.Setenv("HAVEN_MASTER_KEY", strings.TrimSpace(key))
}

// TestFirstServe starts the binary on an empty database: it must create an admin, print a
// one-time password on stdout, never in the logs, and serve; the password must be replaced at
// the first sign-in (checkFirstAdmin).
func TestFirstServe(t *testing.T) {
	bin := buildHaven(t)
	serveAndCall(t, bin, []string{"HAVEN_DATA=" + t.TempDir()}, "", true)
}

func serveAndCall(t *testing.T, bin string, env []string, token string, first bool) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", addr)
	cmd.Env = append(os.Environ(), env...)
	var logs bytes.Buffer
	cmd.Stderr = &logs
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	waitHealthy(t, addr, &logs)
	if first {
		password := ""
		for password == "" {
			select {
			case l := <-lines:
				if strings.HasPrefix(strings.TrimSpace(l), "password:") {
					password = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "password:"))
				}
			case <-time.After(5 * time.Second):
				t.Fatal("first serve printed no admin password")
			}
		}
		if strings.Contains(logs.String(), password) {
			t.Fatal("the admin password leaked into the logs")
		}
		checkFirstAdmin(t, bin, env, "http://"+addr, password)
		return
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/cases", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("API with CLI token: %v %v", err, resp)
	}
	resp.Body.Close()
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHealthy(t *testing.T, addr string, logs *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server did not become ready; logs:\n%s", logs.String())
}

// checkFirstAdmin: the first admin's printed password signs in once, to a session that must set
// a new password first; meanwhile even a token made at the console is refused, with the reason.
func checkFirstAdmin(t *testing.T, bin string, env []string, base, password string) {
	t.Helper()
	token, stderr, err := runHaven(t, bin, env, "token", "create", "--user", "admin")
	if err != nil {
		t.Fatalf("token create: %v %s", err, stderr)
	}
	api := &apiClient{t: t, base: base, token: strings.TrimSpace(token)}
	if st, body := api.do("GET", "/api/v1/cases", nil); st != 403 || !strings.Contains(fmt.Sprint(body), "set a new password first") {
		t.Fatalf("a token of the first admin before a new password: %d %v", st, body)
	}
	b := newBrowser(t, base)
	if at := b.signIn("admin", password); at != "/account" {
		t.Fatalf("first sign-in at %s", at)
	}
	st, _, at := b.send("/account/password", url.Values{"current_password": {password}, "password": {"the admin's own password"}})
	if st != 200 || at != offerPage+"?flash=password_set" {
		t.Fatalf("the first new password: %d at %s", st, at)
	}
	token, _, _ = runHaven(t, bin, env, "token", "create", "--user", "admin")
	api.token = strings.TrimSpace(token)
	if st, body := api.do("GET", "/api/v1/cases", nil); st != 200 {
		t.Fatalf("a token after the new password: %d %v", st, body)
	}
}
