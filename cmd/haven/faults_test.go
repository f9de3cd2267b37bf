package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// outage makes the database of c fail as it does in production and returns what brings it back,
// with the client pointed at a server over the database again.
type outage func(t *testing.T, c *apiClient) (restore func())

// sqliteOutage closes the database under the running server (its pool answers "database is
// closed", as during a shutdown); the restore opens the file again, as a restarted process does,
// and serves it from a new server.
func sqliteOutage(dsn string) outage {
	return func(t *testing.T, c *apiClient) func() {
		if err := c.app.db.Close(); err != nil {
			t.Fatal(err)
		}
		reopen := func() {
			cmd := ServeCmd{DBFlags: DBFlags{DB: dsn, Data: c.data}}
			a, err := cmd.prepare(c.env)
			if err != nil {
				t.Fatal(err)
			}
			*c.app = *a // startAPI's cleanup closes the database open now
		}
		restored := false
		t.Cleanup(func() { // a test that failed before restoring leaves something to close
			if !restored {
				reopen()
			}
		})
		return func() {
			reopen()
			restored = true
			srv := httptest.NewServer(newServer(c.env, c.app, webOptions{}).Handler())
			t.Cleanup(srv.Close)
			c.base = srv.URL
		}
	}
}

// postgresOutage refuses new connections to the database and ends the server's open ones, as a
// restart or failover does; the restore lets connections in again, and the same server goes on.
func postgresOutage(dsn string) outage {
	return func(t *testing.T, c *apiClient) func() {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(u.Path, "/")
		u.Path = "/postgres"
		admin, err := sql.Open("pgx", u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Close() })
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := admin.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`ALTER DATABASE "` + name + `" ALLOW_CONNECTIONS false`)
		exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name)
		return func() { exec(`ALTER DATABASE "` + name + `" ALLOW_CONNECTIONS true`) }
	}
}

// noRedirects is b's client that shows a redirect instead of following it.
func noRedirects(b *browser) *http.Client {
	return &http.Client{Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func send(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestFaultDatabaseDownKeepsCredentials: while the database is down, a token or a session that
// cannot be checked answers 503 with Retry-After and the code "unavailable" (not 401, not the
// sign-in page), the session cookie is left alone, a posted note comes back to be sent again,
// and /readyz says 503. Once the database is back, the same token and cookie work.
func TestFaultDatabaseDownKeepsCredentials(t *testing.T) {
	sqlite := filepath.Join(t.TempDir(), "h.db")
	t.Run("sqlite", func(t *testing.T) { testDatabaseDown(t, startAPI(t, sqlite), sqliteOutage(sqlite)) })
	t.Run("postgres", func(t *testing.T) {
		dsn := testenv.Postgres(t)
		testDatabaseDown(t, startAPI(t, dsn), postgresOutage(dsn))
	})
}

func testDatabaseDown(t *testing.T, c *apiClient, fail outage) {
	number := mustCreateCase(c, map[string]any{"title": "Account taken over", "priority": "P2"})
	b := newBrowser(t, c.base)
	if st, _ := b.post("/login", url.Values{"username": {"admin"}, "password": {"a long admin password"}}); st != 200 {
		t.Fatalf("sign in: %d", st)
	}
	restore := fail(t, c)

	st, body := c.do("GET", "/api/v1/cases", nil)
	if st != 503 || errCode(body) != haven.EUNAVAILABLE || c.header.Get("Retry-After") == "" {
		t.Fatalf("token check with the database down: %d %v Retry-After=%q", st, body, c.header.Get("Retry-After"))
	}
	if msg, _ := errField(body, "message").(string); msg != haven.UnavailableMessage {
		t.Fatalf("the driver's words reach the client: %v", body)
	}
	page := noRedirects(b)
	// The session was just checked at sign-in, and the server keeps what it checked until the
	// next write, at most 3 s (service/keptreads.go), or until it hears its database is gone (on
	// PostgreSQL, when its listening connection fails, which it sees a moment after the outage):
	// until then the page may be served. Once the server checks the session again it must
	// answer 503, not send the user to sign in.
	down := time.Now()
	var resp *http.Response
	var html string
	for {
		req, _ := http.NewRequest("GET", c.base+"/inbox", nil)
		resp, html = send(t, page, req)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther ||
			strings.HasPrefix(resp.Header.Get("Location"), "/login") || time.Since(down) > 4*time.Second {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(html, "temporarily unavailable") {
		t.Fatalf("session check with the database down: %d %s (location %q)", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Location"))
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Fatalf("the session cookie was touched: %v", sc)
	}
	req, _ := http.NewRequest("GET", c.base+"/api/v1/session", nil)
	if resp, body := send(t, page, req); resp.StatusCode != 503 || !strings.Contains(body, `"unavailable"`) {
		t.Fatalf("GET /api/v1/session with the database down: %d %s", resp.StatusCode, body)
	}
	// What was typed comes back in a form that posts it again.
	note := "Called her back on Signal at 14:05.\nShe has a new phone."
	form := url.Values{"body": {note}}
	req, _ = http.NewRequest("POST", c.base+"/cases/"+number+"/note", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, html = send(t, page, req)
	if resp.StatusCode != 503 || !strings.Contains(html, `action="/cases/`+number+`/note"`) ||
		!strings.Contains(html, "She has a new phone.") || !strings.Contains(html, `name="body"`) {
		t.Fatalf("a note posted with the database down: %d\n%s", resp.StatusCode, html)
	}
	if st, _ := c.do("GET", "/readyz", nil); st != 503 {
		t.Fatalf("/readyz with the database down: %d", st)
	}

	restore()
	b.base = c.base
	if st, body := c.do("GET", "/api/v1/cases/"+number, nil); st != 200 {
		t.Fatalf("the token after the outage: %d %v", st, body)
	}
	if st, body := b.post("/cases/"+number+"/note", form); st != 200 || !strings.Contains(body, "She has a new phone.") {
		t.Fatalf("the session after the outage, posting the kept note again: %d", st)
	}
	if st, _ := c.do("GET", "/readyz", nil); st != 200 {
		t.Fatalf("/readyz after the outage: %d", st)
	}
}

// TestFaultSQLiteFull fills the database for real (a page limit: writes that need another page
// fail with SQLITE_FULL): writes answer 507 with Retry-After and "storage_full", /readyz says
// 503, reads go on, and every case that was acknowledged is there.
func TestFaultSQLiteFull(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	if err := c.app.db.CapPages(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	var acknowledged []string
	summary := strings.TrimSpace(strings.Repeat("The account was taken over; recovery codes were changed. ", 60))
	for len(acknowledged) < 1000 {
		st, body := c.do("POST", "/api/v1/cases", map[string]any{"title": "Case while filling", "summary": summary, "priority": "P3"})
		if st == 507 {
			if errCode(body) != haven.EFULL || c.header.Get("Retry-After") == "" {
				t.Fatalf("full database: %v Retry-After=%q", body, c.header.Get("Retry-After"))
			}
			break
		}
		if st != 201 {
			t.Fatalf("create %d: %d %v", len(acknowledged), st, body)
		}
		acknowledged = append(acknowledged, body["number"].(string))
	}
	if len(acknowledged) == 1000 {
		t.Fatal("1000 cases fit under a limit of the database's size: no write failed")
	}
	if st, _ := c.do("GET", "/readyz", nil); st != 503 {
		t.Fatalf("/readyz with the database full: %d", st)
	}
	for _, n := range acknowledged {
		if st, body := c.do("GET", "/api/v1/cases/"+n, nil); st != 200 || body["summary"] != summary {
			t.Fatalf("acknowledged case %s: %d", n, st)
		}
	}
	if st, list := c.do("GET", "/api/v1/cases?limit=100", nil); st != 200 || len(items(list)) != min(len(acknowledged), 100) {
		t.Fatalf("list with the database full: %d, %d cases, %d acknowledged", st, len(items(list)), len(acknowledged))
	}
	// A text search still answers with the database full, from the index as it is: the newest
	// cases' documents wait for room (sqldb/searchlater.go). With room again, it finds them all.
	if st, body := c.do("GET", "/api/v1/cases?q=filling&limit=100", nil); st != 200 {
		t.Fatalf("search with the database full: %d %v", st, body)
	}
	if err := c.app.db.CapPages(context.Background(), 1<<20); err != nil {
		t.Fatal(err)
	}
	if st, list := c.do("GET", "/api/v1/cases?q=filling&limit=100", nil); st != 200 || len(items(list)) != min(len(acknowledged), 100) {
		t.Fatalf("search with room again: %d, %d cases, %d acknowledged", st, len(items(list)), len(acknowledged))
	}
}

// TestReadinessCached: /readyz's check runs at most once per readyFor while the answer is good,
// and then sees a full database.
func TestReadinessCached(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	now := time.Unix(1_800_000_000, 0)
	r := newReadiness(c.app.db)
	r.now = func() time.Time { return now }
	if err := r.check(context.Background()); err != nil {
		t.Fatalf("ready: %v", err)
	}
	if err := c.app.db.CapPages(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if err := r.check(context.Background()); err != nil {
		t.Fatalf("within %v the last answer is reused: %v", readyFor, err)
	}
	now = now.Add(readyFor)
	if err := r.check(context.Background()); haven.ErrorCode(err) != haven.EFULL {
		t.Fatalf("after %v the database is checked again: %v, want %s", readyFor, err, haven.EFULL)
	}
}
