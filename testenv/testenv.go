// Package testenv provides throwaway PostgreSQL databases for tests.
//
// One cluster is started per test binary, lazily on the first Postgres call,
// and every Postgres call gets its own freshly created database, so tests can
// run in parallel without sharing state. Shutdown stops the cluster; packages
// using Postgres must call it from TestMain, most simply via Main:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// pg_ctl detaches the postmaster, so a test binary that dies before Shutdown
// (panic, -timeout, SIGKILL) leaves it running. To keep that from lasting
// forever, each cluster directory records the pid of the process owning it,
// and the next cluster start stops and removes clusters whose owner is gone.
//
// Environment:
//
//	HAVEN_TEST_POSTGRES  DSN (postgres://...) of an existing server to use instead of a local cluster
//	HAVEN_PG_BIN         directory holding initdb, pg_ctl and psql
//	HAVEN_REQUIRE_REAL=1 fail instead of skip when PostgreSQL is unavailable
package testenv

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

const (
	envDSN     = "HAVEN_TEST_POSTGRES"
	envBin     = "HAVEN_PG_BIN"
	envRequire = "HAVEN_REQUIRE_REAL"

	dirPrefix = "haven-pg-"
	ownerFile = "owner.pid"

	installHint = "install PostgreSQL (Debian/Ubuntu: apt-get install postgresql), " +
		"or set " + envBin + " to its bin directory, or " + envDSN + " to the DSN of a running server"
)

// RequireReal reports whether HAVEN_REQUIRE_REAL=1 is set: make check sets it
// so that a missing PostgreSQL fails the build instead of silently skipping.
func RequireReal() bool { return os.Getenv(envRequire) == "1" }

// Main runs the tests and then stops the cluster; use it as TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// Shutdown stops the cluster started by Postgres, if any, and removes its files.
func Shutdown() { proc.shutdown() }

// Postgres returns a DSN (postgres://user@127.0.0.1:PORT/DBNAME?sslmode=disable)
// of a fresh, empty database created for this test and dropped in t.Cleanup.
// If HAVEN_TEST_POSTGRES is set, that server is used instead of a local cluster.
// When no PostgreSQL can be found or started the test is skipped, or failed
// if RequireReal is true.
func Postgres(t testing.TB) string {
	t.Helper()
	srv, err := proc.get()
	if err != nil {
		if RequireReal() {
			t.Fatalf("testenv: PostgreSQL unavailable and %s=1: %v", envRequire, err)
		}
		t.Skipf("testenv: PostgreSQL unavailable, skipping: %v", err)
	}
	name := dbName(t.Name())
	// template0 so that whatever someone added to template1 does not leak in.
	if err := srv.psql(`CREATE DATABASE "` + name + `" TEMPLATE template0`); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		// FORCE: a test that leaked connections must not keep its database alive.
		if err := srv.psql(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`); err != nil {
			t.Errorf("testenv: %v", err)
		}
	})
	u := *srv.admin
	u.Path = "/" + name
	return u.String()
}

// dbName makes a database name that says which test it belongs to and is
// unique even across test binaries sharing one server.
func dbName(testName string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return "t_" + sanitize(testName) + "_" + hex.EncodeToString(b)
}

// sanitize maps a test name to at most 40 characters of [a-z0-9_], which
// needs no quoting care and keeps the full name under PostgreSQL's 63 bytes.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if b.Len() == 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// cluster is the per-process server; it is the package's only state.
type cluster struct {
	mu      sync.Mutex
	started bool // a start was attempted; srv and err hold its outcome
	stopped bool
	srv     *server
	err     error
}

var proc cluster

// get starts the server on first use. Holding mu while starting makes
// parallel tests wait for the one start instead of racing their own.
func (c *cluster) get() (*server, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil, errors.New("Postgres called after Shutdown")
	}
	if !c.started {
		c.started = true
		if dsn := os.Getenv(envDSN); dsn != "" {
			c.srv, c.err = external(dsn)
		} else {
			c.srv, c.err = startCluster()
		}
	}
	return c.srv, c.err
}

func (c *cluster) shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	if c.srv != nil {
		c.srv.stop()
		c.srv = nil
	}
}

// server is a PostgreSQL server reachable through psql.
type server struct {
	psqlBin string
	admin   *url.URL // DSN of a database to run CREATE/DROP DATABASE from

	// Set only for a cluster this process started.
	pgCtl string
	dir   string              // holds data/, the socket, the log and the owner file
	cred  *syscall.Credential // run server tools as this user; nil unless we are root
}

func external(dsn string) (*server, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("%s must be a postgres:// URL", envDSN)
	}
	bin, _ := findBin() // only psql is needed; PATH is fine too
	psql, err := findTool(bin, "psql")
	if err != nil {
		return nil, err
	}
	s := &server{psqlBin: psql, admin: u}
	if err := s.psql("SELECT 1"); err != nil {
		return nil, fmt.Errorf("%s=%s: %v", envDSN, u.Redacted(), err)
	}
	return s, nil
}

func startCluster() (*server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	psql, err := findTool(bin, "psql")
	if err != nil {
		return nil, err
	}
	pgCtl, err := findTool(bin, "pg_ctl")
	if err != nil {
		return nil, err
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	base, err := tempBase(cred)
	if err != nil {
		return nil, err
	}
	reapOrphans(base, pgCtl, cred)

	dir, err := os.MkdirTemp(base, dirPrefix)
	if err != nil {
		return nil, err
	}
	s := &server{psqlBin: psql, pgCtl: pgCtl, dir: dir, cred: cred}
	ok := false
	defer func() {
		if !ok {
			s.stop()
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	if cred != nil {
		// MkdirTemp made dir 0700; the server user must own it to write there.
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}

	data := filepath.Join(dir, "data")
	initdb, err := findTool(bin, "initdb")
	if err != nil {
		return nil, err
	}
	// -N: durability is pointless for a throwaway cluster and syncing costs seconds.
	args := []string{"-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "-N"}
	if err := s.run(initdb, append(args, "--locale=C.UTF-8")...); err != nil {
		// Older systems lack the C.UTF-8 locale; plain C still sorts deterministically.
		if err2 := os.RemoveAll(data); err2 != nil {
			return nil, fmt.Errorf("initdb: %v, and removing its partial cluster: %v", err, err2)
		}
		if err2 := s.run(initdb, append(args, "--locale=C")...); err2 != nil {
			return nil, fmt.Errorf("initdb: %v (with C.UTF-8: %v)", err2, err)
		}
	}

	logFile := filepath.Join(dir, "postgres.log")
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		// pg_ctl hands -o to a shell, hence the quoted socket directory.
		opts := fmt.Sprintf("-p %d -k '%s' -c listen_addresses=127.0.0.1 -c fsync=off"+
			" -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
		err = s.run(pgCtl, "-D", data, "-o", opts, "-l", logFile, "-w", "start")
		if err == nil {
			s.admin = &url.URL{
				Scheme:   "postgres",
				User:     url.User("postgres"),
				Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
				Path:     "/postgres",
				RawQuery: "sslmode=disable",
			}
			ok = true
			return s, nil
		}
		log := logTail(logFile)
		// Another process may grab the port between freePort and the bind.
		if attempt < 3 && strings.Contains(log, "already in use") {
			continue
		}
		return nil, fmt.Errorf("pg_ctl start: %v\nserver log tail:\n%s", err, log)
	}
}

// stop stops a cluster this process started and removes its files;
// for an external server it does nothing.
func (s *server) stop() {
	if s.dir == "" {
		return
	}
	data := filepath.Join(s.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		// Best effort: the files go either way, and immediate mode skips the
		// shutdown checkpoint nobody needs.
		_ = s.run(s.pgCtl, "-D", data, "-m", "immediate", "-w", "stop")
	}
	// Best effort too: what is left behind is reaped by the next cluster
	// start, since its owner is gone.
	_ = os.RemoveAll(s.dir)
}

// reapOrphans stops and removes clusters whose owning test binary died
// without calling Shutdown.
func reapOrphans(base, pgCtl string, cred *syscall.Credential) {
	dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours to judge, or still being set up
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		// Only ESRCH proves the owner is gone; EPERM means it lives under another user.
		if err != nil || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		old := &server{pgCtl: pgCtl, dir: dir, cred: cred}
		old.stop()
	}
}

// psql runs one SQL statement against the admin database. It runs as the
// current user: trust auth over TCP does not care who we are.
func (s *server) psql(sql string) error {
	cmd := exec.Command(s.psqlBin, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", s.admin.String(), "-c", sql)
	cmd.Env = append(cleanEnv(), "PGCONNECT_TIMEOUT=10")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("psql -c %q: %v: %s", sql, err, bytes.TrimSpace(out))
	}
	return nil
}

// run runs a server tool, as the server user when we are root.
func (s *server) run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = s.dir // the server user may not be able to enter our working directory
	cmd.Env = cleanEnv()
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// cleanEnv drops PG* variables so a developer's PGHOST, PGDATA, PGOPTIONS
// and the like cannot redirect or alter our commands.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

// serverUser returns whom to run the server as: PostgreSQL refuses to run
// as root, so root hands over to the postgres user; anyone else runs it
// directly (nil).
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL refuses root, but there is no postgres OS user to run it as (%v); "+
			"install the postgresql package, which creates it, or run tests as non-root", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("postgres user has non-numeric uid/gid %q/%q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// tempBase picks where to create the cluster directory. When the server runs
// as another user, every ancestor must be searchable by others, which a
// private TMPDIR (say under /root) is not; /tmp usually is.
func tempBase(cred *syscall.Credential) (string, error) {
	base := os.TempDir()
	if cred == nil {
		return base, nil
	}
	for _, dir := range []string{base, "/tmp"} {
		if searchable(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("neither %s nor /tmp is searchable by the postgres user; set TMPDIR to a directory that is", base)
}

func searchable(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

// findBin returns the directory holding initdb: $HAVEN_PG_BIN, else the
// newest /usr/lib/postgresql/*/bin (where Debian puts it, off PATH), else PATH.
func findBin() (string, error) {
	if dir := os.Getenv(envBin); dir != "" {
		if !isExecutable(filepath.Join(dir, "initdb")) {
			return "", fmt.Errorf("%s=%s contains no initdb; %s", envBin, dir, installHint)
		}
		return dir, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	found = slices.DeleteFunc(found, func(p string) bool { return !isExecutable(p) })
	if len(found) > 0 {
		// Compare versions numerically so that 10 beats 9.6.
		version := func(p string) []int {
			var v []int
			for _, f := range strings.Split(filepath.Base(filepath.Dir(filepath.Dir(p))), ".") {
				n, _ := strconv.Atoi(f)
				v = append(v, n)
			}
			return v
		}
		newest := slices.MaxFunc(found, func(a, b string) int { return slices.Compare(version(a), version(b)) })
		return filepath.Dir(newest), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL found (looked at $" + envBin + ", /usr/lib/postgresql/*/bin, PATH); " + installHint)
}

// findTool looks for a PostgreSQL program next to initdb, then on PATH
// (e.g. Debian has psql in /usr/bin but pg_ctl only under /usr/lib).
func findTool(bin, name string) (string, error) {
	if p := filepath.Join(bin, name); bin != "" && isExecutable(p) {
		return p, nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found in %q or on PATH; %s", name, bin, installHint)
	}
	return p, nil
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// logTail returns the end of the server log, where the reason for a failed
// start is.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(bytes.TrimSpace(b))
}
