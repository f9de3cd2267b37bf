package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/haven-helpline/haven/testenv"
)

// instance is one `haven serve` process of a deployment.
type instance struct {
	name, base string
	logs       *bytes.Buffer
}

// startInstance starts `haven serve` on db with its own data directory, as each instance behind
// a load balancer has; the job runner runs in it as in production.
func startInstance(t *testing.T, bin, db, mailConf, name string) *instance {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--listen", addr, "--data", t.TempDir(), "--mail-config", mailConf,
		"--login-attempts-per-minute", fmt.Sprint(multiLoginLimit))
	cmd.Env = append(os.Environ(), "HAVEN_DB="+db)
	logs := &bytes.Buffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	waitHealthy(t, addr, logs)
	return &instance{name: name, base: "http://" + addr, logs: logs}
}

// multiLoginLimit is the instances' --login-attempts-per-minute.
const multiLoginLimit = 6

// client is a browser without redirects, on a loopback address of its own: the instances see
// each client as a different address, as they would different people behind a load balancer
// that passes the client's address on.
type client struct {
	t  *testing.T
	hc *http.Client
}

func newClient(t *testing.T, from string) *client {
	jar, _ := cookiejar.New(nil) // cookies ignore the port: A's cookie goes to B, as behind one host name
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	return &client{t: t, hc: &http.Client{Jar: jar, Transport: &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request (a form post when form is set, as a page of the same origin would).
func (c *client) do(method, target string, form url.Values, cookie *http.Cookie) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func (c *client) signIn(in *instance, username, password string) *http.Response {
	c.t.Helper()
	resp, _ := c.do("POST", in.base+"/login", url.Values{"username": {username}, "password": {password}}, nil)
	return resp
}

// TestMultiInstancePostgres runs two `haven serve` processes on one PostgreSQL database, as a
// larger team does behind a load balancer, and checks that they behave as one: sessions, lock-outs
// and the sign-in rate limit are shared, each job runs once with both runners active, and what
// is written through one is listed by the other at once.
func TestMultiInstancePostgres(t *testing.T) {
	bin := buildHaven(t)
	db := testenv.Postgres(t)
	useNewMasterKey(t, bin)
	token := adminToken(t, bin, db)
	relay, relayPort := startRelay(t)
	mailConf := filepath.Join(t.TempDir(), "mail.json")
	if err := os.WriteFile(mailConf, fmt.Appendf(nil, `{"domain":"helpline.test","from_name":"Helpline",
		"mailboxes":[{"address":"help@helpline.test"}],"relay":{"host":"127.0.0.1","port":%d,"security":"none"}}`, relayPort), 0o600); err != nil {
		t.Fatal(err)
	}
	a := startInstance(t, bin, db, mailConf, "A")
	b := startInstance(t, bin, db, mailConf, "B")
	admin := &apiClient{t: t, base: a.base, token: token}
	for _, u := range []string{"hana", "omar"} {
		if st, body := admin.do("POST", "/api/v1/users", map[string]any{"username": u, "role": "handler",
			"password": "a long password for " + u}); st != 201 {
			t.Fatalf("user %s: %d %v", u, st, body)
		}
	}
	t.Run("sessions", func(t *testing.T) { multiSessions(t, a, b) })
	t.Run("tokens", func(t *testing.T) { multiTokens(t, a, b, admin) })
	t.Run("lock-out", func(t *testing.T) { multiLockOut(t, a, b) })
	t.Run("rate limit", func(t *testing.T) { multiRateLimit(t, a, b) })
	t.Run("lists fresh", func(t *testing.T) { multiFreshLists(t, a, b, admin) })
	t.Run("jobs once", func(t *testing.T) { multiJobsOnce(t, db, a, b, admin, relay) })
}

// A session made on A works on B, and signing out on B ends it on A as soon as A hears of the
// write, though A keeps the sessions it has just read.
func multiSessions(t *testing.T, a, b *instance) {
	c := newClient(t, "127.0.0.10")
	if resp := c.signIn(a, "hana", "a long password for hana"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in on A: %d", resp.StatusCode)
	}
	u, _ := url.Parse(a.base)
	var session *http.Cookie
	for _, k := range c.hc.Jar.Cookies(u) {
		if k.Name == "haven_session" {
			session = k
		}
	}
	if session == nil {
		t.Fatal("no session cookie after signing in on A")
	}
	bare := newClient(t, "127.0.0.10") // no jar content: the cookie is sent by hand
	if resp, body := bare.do("GET", b.base+"/inbox", nil, session); resp.StatusCode != 200 || !strings.Contains(body, "hana") {
		t.Fatalf("A's session on B: %d", resp.StatusCode)
	}
	if resp, _ := bare.do("GET", a.base+"/inbox", nil, session); resp.StatusCode != 200 {
		t.Fatalf("the session on A: %d", resp.StatusCode) // A keeps it now (service/keptreads.go)
	}
	signedOut := time.Now()
	if resp, _ := c.do("POST", b.base+"/logout", url.Values{}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out on B: %d", resp.StatusCode)
	}
	// A hears of the write through PostgreSQL's notification (milliseconds) and drops what it kept.
	withinTTL(t, signedOut, "A to refuse the session signed out on B", func() (bool, string) {
		resp, _ := bare.do("GET", a.base+"/inbox", nil, session)
		return resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"),
			fmt.Sprintf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
	})
}

// An API token made on A works on B, which keeps who it stands for across the cases it writes;
// revoked on A, it is refused by B as soon as B hears of the account write.
func multiTokens(t *testing.T, a, b *instance, admin *apiClient) {
	st, body := admin.do("POST", "/api/v1/tokens", map[string]any{"name": "across instances"})
	if st != 201 {
		t.Fatalf("token on A: %d %v", st, body)
	}
	info, _ := body["info"].(map[string]any)
	onB := &apiClient{t: t, base: b.base, token: body["token"].(string)}
	for i := range 3 { // the second and third find the token kept on B, across B's own case writes
		if st, body := onB.do("POST", "/api/v1/cases", map[string]any{"title": fmt.Sprintf("Through B %d", i)}); st != 201 {
			t.Fatalf("case %d through B: %d %v", i, st, body)
		}
	}
	revoked := time.Now()
	if st, body := admin.do("DELETE", fmt.Sprintf("/api/v1/tokens/%v", info["id"]), nil); st != 204 {
		t.Fatalf("revoke on A: %d %v", st, body)
	}
	withinTTL(t, revoked, "B to refuse the token revoked on A", func() (bool, string) {
		st, body := onB.do("GET", "/api/v1/cases", nil)
		return st == http.StatusUnauthorized, fmt.Sprintf("%d %v", st, body)
	})
}

// Failed sign-ins spread over A and B add up to the lock-out, and both refuse the account then,
// even with the right password.
func multiLockOut(t *testing.T, a, b *instance) {
	c := newClient(t, "127.0.0.11")
	for i := range 5 { // haven.LoginMaxFailures
		in := []*instance{a, b}[i%2]
		resp := c.signIn(in, "omar", "not the password")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d on %s: %d", i+1, in.name, resp.StatusCode)
		}
	}
	for _, in := range []*instance{a, b} {
		c := newClient(t, "127.0.0.12") // another address: the lock-out is the account's
		resp, body := c.do("POST", in.base+"/login", url.Values{"username": {"omar"}, "password": {"a long password for omar"}}, nil)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Too many failed sign-ins") {
			t.Fatalf("right password on %s after 5 failures over A and B: %d, not locked out", in.name, resp.StatusCode)
		}
	}
}

// The sign-in limit per address counts the attempts made on A and on B together. Attempts are
// counted per minute: a run that straddles two minutes is run again from another address.
func multiRateLimit(t *testing.T, a, b *instance) {
	for try := range 3 {
		c := newClient(t, fmt.Sprintf("127.0.0.%d", 20+try))
		minute := time.Now().Truncate(time.Minute)
		for i := range multiLoginLimit {
			resp := c.signIn([]*instance{a, b}[i%2], "nobody", "wrong")
			if resp.Header.Get("Retry-After") != "" {
				t.Fatalf("attempt %d of %d refused as too many", i+1, multiLoginLimit)
			}
		}
		refusals := 0
		for _, in := range []*instance{a, b} {
			if resp := c.signIn(in, "nobody", "wrong"); resp.Header.Get("Retry-After") != "" {
				refusals++
			}
		}
		if !time.Now().Truncate(time.Minute).Equal(minute) {
			continue // the window changed during the run: inconclusive
		}
		if refusals != 2 {
			t.Fatalf("after %d attempts over A and B, %d of A and B refused the next one (want both)", multiLoginLimit, refusals)
		}
		return
	}
	t.Fatal("three runs straddled a minute")
}

// A case created through A, and a change to it, are listed by B's inbox at once (within the
// time B would keep a list without being told of the write: listTTL, 3 s).
func multiFreshLists(t *testing.T, a, b *instance, admin *apiClient) {
	c := newClient(t, "127.0.0.30")
	if resp := c.signIn(b, "hana", "a long password for hana"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in on B: %d", resp.StatusCode)
	}
	title := fmt.Sprintf("Fresh across instances %d", time.Now().UnixNano())
	inboxShows := func(want string) func() (bool, string) {
		return func() (bool, string) {
			resp, body := c.do("GET", b.base+"/inbox?queue=open", nil, nil)
			return resp.StatusCode == 200 && strings.Contains(body, want), fmt.Sprintf("status %d, listed: %t", resp.StatusCode, strings.Contains(body, want))
		}
	}
	if done, _ := inboxShows(title)(); done {
		t.Fatal("listed before it exists")
	}
	kept := time.Now() // B keeps the list it just read
	st, body := admin.do("POST", "/api/v1/cases", map[string]any{"title": title, "summary": "Account taken over."})
	if st != 201 {
		t.Fatalf("create through A: %d %v", st, body)
	}
	withinTTL(t, kept, "B's inbox to list the case created through A", inboxShows(title))
	kept = time.Now()
	renamed := title + " (renamed)"
	if st, body := admin.do("PATCH", "/api/v1/cases/"+body["number"].(string), map[string]any{"title": renamed}); st != 200 {
		t.Fatalf("change through A: %d %v", st, body)
	}
	withinTTL(t, kept, "B's inbox to show the change made through A", inboxShows(renamed))
}

// withinTTL polls cond until it holds, failing if that takes nearly as long as B would keep a
// stale list anyway (service listTTL, 3 s, from B's read just before since): then it was not B
// being told of the write that made it fresh.
func withinTTL(t *testing.T, since time.Time, what string, cond func() (bool, string)) {
	t.Helper()
	var state string
	for pause := 10 * time.Millisecond; time.Since(since) < 2*time.Second; pause = min(2*pause, 200*time.Millisecond) {
		var done bool
		if done, state = cond(); done {
			return
		}
		time.Sleep(pause)
	}
	t.Fatalf("waited %s for %s; last state: %s", time.Since(since).Round(time.Millisecond), what, state)
}

// A reply queued through B is sent once, and each periodic job's slot runs once, while both
// instances' runners poll the same queue.
func multiJobsOnce(t *testing.T, db string, a, b *instance, admin *apiClient, relay *relay) {
	st, body := admin.do("POST", "/api/v1/cases", map[string]any{"title": "Reply once", "summary": "Hacked account."})
	if st != 201 {
		t.Fatalf("case: %d %v", st, body)
	}
	number := body["number"].(string)
	viaB := &apiClient{t: t, base: b.base, token: admin.token}
	for i := range 3 {
		st, body := viaB.do("POST", "/api/v1/cases/"+number+"/messages", map[string]any{"direction": "out",
			"channel": "email", "to": []string{"amira@mail.example"}, "subject": "Your case", "text": fmt.Sprintf("Reply %d.", i)})
		if st != 201 {
			t.Fatalf("reply %d through B: %d %v", i, st, body)
		}
	}
	raw, err := sql.Open("pgx", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	kinds := []string{"email.send", "sla.check", "escalation.remind"}
	testenv.Eventually(t, "the replies and the first periodic slots to be done", func() (bool, string) {
		var sent, slots int
		err := raw.QueryRowContext(context.Background(), `SELECT
			COUNT(*) FILTER (WHERE kind = 'email.send' AND state = 'done'),
			COUNT(DISTINCT kind) FILTER (WHERE kind <> 'email.send' AND state = 'done')
			FROM jobs WHERE kind = ANY($1)`, kinds).Scan(&sent, &slots)
		return err == nil && sent == 3 && slots == 2, fmt.Sprintf("%d replies sent, %d periodic kinds done, %v", sent, slots, err)
	})
	// Both runners keep polling: a second run of any job would show in its attempts or at the relay.
	rows, err := raw.QueryContext(context.Background(), `SELECT unique_key, attempts, state, locked_by FROM jobs
		WHERE kind = ANY($1) AND state = 'done' ORDER BY id`, kinds)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	workers := map[string]int{}
	for rows.Next() {
		var key, state, worker string
		var attempts int
		if err := rows.Scan(&key, &attempts, &state, &worker); err != nil {
			t.Fatal(err)
		}
		if attempts != 1 {
			t.Errorf("job %s ran %d times", key, attempts)
		}
		workers[worker]++
	}
	t.Logf("jobs done per runner: %v", workers)
	if got := len(relay.received()); got != 3 {
		t.Fatalf("%d emails at the relay for 3 replies", got)
	}
	var dup int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM (SELECT unique_key FROM jobs WHERE unique_key IS NOT NULL
		GROUP BY unique_key HAVING COUNT(*) > 1) d`).Scan(&dup); err != nil || dup != 0 {
		t.Fatalf("%d slots enqueued twice (%v)", dup, err)
	}
}
