package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/metrics"
	"github.com/haven-helpline/haven/testenv"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// promtool finds Prometheus's promtool (Debian package prometheus). Like Chromium for the
// browser tests it is required: a check that silently does not run is worse than a red build.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool not found on PATH: install it (Debian: apt-get install prometheus); .ci/run does")
	}
	return p
}

// observedServer is a server wired as haven serve wires it (metrics, JSON logs), on a fresh
// database, with an admin token.
type observedServer struct {
	*apiClient
	logs *lockedBuffer
	url  string
}

func startObserved(t *testing.T, dsn string, opts metricsOptions) *observedServer {
	t.Helper()
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := &env{ctx: ctx, stdout: io.Discard, stderr: io.Discard, log: newLogger(logs, "json", "info")}
	data := t.TempDir()
	cmd := ServeCmd{DBFlags: DBFlags{DB: dsn, Data: data}}
	a, err := cmd.prepare(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	a.observe()
	if _, err := a.svc.CreateFirstAdmin(ctx, "admin", "a long admin password"); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.svc.CreateTokenAsSystem(ctx, "admin", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	opts.dataDir = data
	ws, stop, err := startWeb(e, a, webOptions{metrics: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	srv := httptest.NewServer(ws.Handler())
	t.Cleanup(srv.Close)
	return &observedServer{apiClient: &apiClient{t: t, base: srv.URL, token: token, data: data, app: a, env: e},
		logs: logs, url: srv.URL}
}

// requesterSecrets are what the activity writes about a requester; none may reach the logs.
var requesterSecrets = []string{"zqrequester@example.org", "Zqnour Zqhaddad", "Zqtitle of the case",
	"zqsummary words", "zqreply body", "zqguessed-username"}

// activity is a realistic flow: a P1 case with a requester (it pages on-call), a reply, a note,
// a wrong sign-in, jobs run. It returns the request ids the server answered with.
func (s *observedServer) activity(t *testing.T) []string {
	t.Helper()
	var ids []string
	st, cs := s.do("POST", "/api/v1/cases", map[string]any{"title": "Zqtitle of the case", "summary": "zqsummary words",
		"priority": "P1", "requester": map[string]any{"name": "Zqnour Zqhaddad", "email": "zqrequester@example.org"}})
	if st != 201 {
		t.Fatalf("create: %d %v", st, cs)
	}
	ids = append(ids, s.header.Get("X-Request-ID"))
	number := cs["number"].(string)
	if st, body := s.do("POST", "/api/v1/cases/"+number+"/messages", map[string]any{"direction": "out", "channel": "email",
		"to": []string{"zqrequester@example.org"}, "subject": "Zqtitle of the case", "text": "zqreply body"}); st != 201 {
		t.Fatalf("reply: %d %v", st, body)
	}
	ids = append(ids, s.header.Get("X-Request-ID"))
	resp, err := http.Post(s.url+"/api/v1/session", "application/json",
		strings.NewReader(`{"username":"zqguessed-username","password":"zqwrong password"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("wrong sign-in: %d", resp.StatusCode)
	}
	ids = append(ids, resp.Header.Get("X-Request-ID"))
	if st, _ := s.do("GET", "/api/v1/cases/HV-2026-999999", nil); st != 404 {
		t.Fatalf("missing case: %d", st)
	}
	ids = append(ids, s.header.Get("X-Request-ID"))
	s.runJobs()
	// A job due a minute ago that no runner took: the queue metrics show it waiting.
	err = s.app.db.Update(context.Background(), func(tx haven.Tx) error {
		_, err := tx.EnqueueJob(context.Background(), &haven.Job{Kind: haven.JobSendEmail, Payload: "{}",
			RunAt: time.Now().Add(-time.Minute), CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestLogsCarryRequestIDAndNoPersonalData(t *testing.T) {
	s := startObserved(t, filepath.Join(t.TempDir(), "h.db"), metricsOptions{})
	ids := s.activity(t)
	out := s.logs.String()
	for _, secret := range requesterSecrets {
		if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
			t.Errorf("the logs hold %q", secret)
		}
	}
	if regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}`).MatchString(out) {
		t.Errorf("the logs hold an email address:\n%s", out)
	}
	byID := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		if _, ok := m["duration"]; ok {
			t.Errorf("a duration in nanoseconds instead of duration_ms: %s", line)
		}
		if m["msg"] == "http request" {
			id, _ := m["request_id"].(string)
			byID[id]++
			if m["duration_ms"] == nil {
				t.Errorf("request line without duration_ms: %s", line)
			}
		}
	}
	for _, id := range ids {
		if id == "" || byID[id] == 0 {
			t.Errorf("request id %q: no request line carries it (%v)", id, byID)
		}
	}
	if byID[""] > 0 {
		t.Errorf("%d request lines without a request id", byID[""])
	}
}

// TestEveryLineOfARequestCarriesItsID makes a request log more than its own line (an internal
// error is logged, then the request) and checks that every line of it has the same id.
func TestEveryLineOfARequestCarriesItsID(t *testing.T) {
	s := startObserved(t, filepath.Join(t.TempDir(), "h.db"), metricsOptions{})
	s.app.db.Pools()["read"].Close() // every read now fails: the handler logs an internal error, then the request
	req, _ := http.NewRequest("GET", s.url+"/api/v1/cases", nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("X-Request-ID", "trace-0042")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Request-ID") != "trace-0042" {
		t.Errorf("echoed id = %q", resp.Header.Get("X-Request-ID"))
	}
	var withID, msgs []string
	for _, line := range strings.Split(strings.TrimSpace(s.logs.String()), "\n") {
		var m map[string]any
		_ = json.Unmarshal([]byte(line), &m)
		if m["request_id"] == "trace-0042" {
			withID = append(withID, line)
			msgs = append(msgs, m["msg"].(string))
		} else if m["route"] == "/api/v1/cases" {
			t.Errorf("a line of the request without its id: %s", line)
		}
	}
	if len(withID) < 2 || !slices.Contains(msgs, "http request") {
		t.Errorf("lines with the request's id: %v", msgs)
	}
}

func TestMetricsScrapePassesPromtool(t *testing.T) {
	tool := promtool(t)
	forEachDBName(t, func(t *testing.T, dsn string) {
		s := startObserved(t, dsn, metricsOptions{verifyEvery: time.Hour})
		s.activity(t)
		body := scrape(t, s.url+"/metrics", "")
		cmd := exec.Command(tool, "check", "metrics")
		cmd.Stdin = strings.NewReader(body)
		if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
		for _, want := range []string{
			`haven_signin_failures_total{stage="password"} 1`,
			`haven_pages_total{event="raised"} 1`,
			`haven_jobs{kind="email.send",state="queued"} 1`,
			`haven_job_oldest_due_age_seconds{kind="email.send"} 6`, // 60 s and a little
			`haven_escalations{state="no-response"} 0`,
			`haven_pages_open{state="triggered"} 1`,
			`haven_db_transaction_duration_seconds_count{mode="write"}`,
			`go_sql_in_use_connections{db_name=`,
			`haven_data_dir_free_bytes `,
			`haven_queue_metrics_up 1`,
			`haven_audit_chain_intact 1`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		for _, secret := range append(requesterSecrets, "HV-20", "admin") {
			if strings.Contains(body, secret) {
				t.Errorf("metrics hold %q", secret)
			}
		}
	})
}

// forEachDBName runs fn on a fresh SQLite file and a fresh PostgreSQL database.
func forEachDBName(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "h.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, testenv.Postgres(t)) })
}

func scrape(t *testing.T, url, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func TestMetricsOnSeparateListenerWithToken(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "metrics.token")
	if err := os.WriteFile(tokenFile, []byte("a-long-metrics-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	token, err := MetricsFlags{MetricsTokenFile: tokenFile}.metricsToken()
	if err != nil || token != "a-long-metrics-token" {
		t.Fatalf("token %q, %v", token, err)
	}
	ln := freeAddr(t)
	s := startObserved(t, filepath.Join(t.TempDir(), "h.db"), metricsOptions{listen: ln, token: token})
	if resp, err := http.Get(s.url + "/metrics"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("main listener's /metrics: %v %v", resp, err)
	}
	if resp, err := http.Get("http://" + ln + "/metrics"); err != nil || resp.StatusCode != 401 {
		t.Fatalf("metrics listener without the token: %v %v", resp, err)
	}
	if body := scrape(t, "http://"+ln+"/metrics", token); !strings.Contains(body, "haven_db_writes_waiting") {
		t.Error("the metrics listener serves no SQLite writer gauge")
	}
	for _, bad := range []string{"short", "two words in a token file"} {
		_ = os.WriteFile(tokenFile, []byte(bad), 0o600)
		if _, err := (MetricsFlags{MetricsTokenFile: tokenFile}).metricsToken(); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("token %q accepted: %v", bad, err)
		}
	}
}

// TestDeployExamples validates the example alert rules with promtool (syntax and unit tests),
// and checks that the rules and the dashboard only use metrics Haven exports.
func TestDeployExamples(t *testing.T) {
	tool := promtool(t)
	dir := filepath.Join("..", "..", "deploy")
	for _, args := range [][]string{{"check", "rules", "prometheus-alerts.yaml"}, {"test", "rules", "prometheus-alerts.test.yaml"}} {
		cmd := exec.Command(tool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	s := startObserved(t, filepath.Join(t.TempDir(), "h.db"), metricsOptions{verifyEvery: time.Hour})
	s.activity(t)
	exported := map[string]bool{}
	for _, line := range strings.Split(scrape(t, s.url+"/metrics", ""), "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(name, " ")
			exported[name] = true
			if kind == "histogram" {
				exported[name+"_bucket"], exported[name+"_count"], exported[name+"_sum"] = true, true, true
			}
		}
	}
	exported["haven_mail_imap_connected"] = true // only with an IMAP mailbox configured
	for _, file := range []string{"prometheus-alerts.yaml", "grafana-dashboard.json"} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range regexp.MustCompile(`\b(?:haven|go_sql)_[a-z_]+`).FindAllString(string(b), -1) {
			if !exported[name] && !strings.HasPrefix(name, "haven_mail_") {
				t.Errorf("%s uses %s, which Haven does not export", file, name)
			}
		}
	}
	var dash struct {
		Panels []struct {
			Targets []struct{ Expr string } `json:"targets"`
		} `json:"panels"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "grafana-dashboard.json"))
	if err := json.Unmarshal(b, &dash); err != nil || len(dash.Panels) < 10 {
		t.Fatalf("dashboard: %v, %d panels", err, len(dash.Panels))
	}
}

func TestSenderCountsPerMailbox(t *testing.T) {
	m := metrics.New()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg, metrics.Sources{}); err != nil {
		t.Fatal(err)
	}
	s := &sender{metrics: m}
	if err := s.countSend("help@helpline.example", nil); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("relay refused")
	if err := s.countSend("help@helpline.example", refused); err != refused {
		t.Fatalf("the error is not passed on: %v", err)
	}
	_ = (&sender{}).countSend("help@helpline.example", nil) // no metrics: counts nothing, no panic
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	body := scrape(t, srv.URL, "")
	for _, want := range []string{`haven_mail_sent_total{mailbox="help@helpline.example"} 1`,
		`haven_mail_send_failures_total{mailbox="help@helpline.example"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
