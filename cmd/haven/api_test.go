package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// apiClient talks to a real Haven server (real service, real database) over HTTP.
type apiClient struct {
	t     testing.TB
	base  string
	token string
	data  string // the server's data directory
	// app and env are the server's, for tests that run its jobs (runner).
	app *app
	env *env
	// header is the last answer's header, for checks that nothing restricted is in one.
	header http.Header
}

func (c *apiClient) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var r io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case formFile:
		r, contentType = b.encode()
	default:
		raw, _ := json.Marshal(b)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	c.header = resp.Header
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 && json.Unmarshal(raw, &out) != nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out
}

// startAPI serves a fresh database (dsn) and returns a client holding an admin token.
func startAPI(t testing.TB, dsn string) *apiClient {
	t.Helper()
	e := &env{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	data := t.TempDir()
	cmd := ServeCmd{DBFlags: DBFlags{DB: dsn, Data: data}}
	a, err := cmd.prepare(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	admin, err := a.svc.CreateFirstAdmin(e.ctx, "admin", "a long admin password")
	if err != nil {
		t.Fatal(err)
	}
	ctx := haven.WithActor(e.ctx, haven.Actor{User: admin})
	if _, err := a.svc.CreateUser(ctx, haven.UserCreate{Username: "sam", Role: haven.RoleAuditor, Password: "a long auditor password"}); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.svc.CreateTokenAsSystem(e.ctx, "admin", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newServer(e, a, webOptions{}).Handler())
	t.Cleanup(srv.Close)
	return &apiClient{t: t, base: srv.URL, token: token, data: data, app: a, env: e}
}

// runJobs runs the server's due jobs, as its job runner does every second, until none is left
// (a tick claims a few at a time, periodic ones first).
func (c *apiClient) runJobs() {
	c.t.Helper()
	r := newRunner(c.env, c.app, nil, 0)
	for range 20 {
		n, err := r.Tick(c.env.ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func forEachDB(t *testing.T, fn func(t *testing.T, c *apiClient)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, startAPI(t, filepath.Join(t.TempDir(), "h.db"))) })
	t.Run("postgres", func(t *testing.T) { fn(t, startAPI(t, testenv.Postgres(t))) })
}

func TestAPIContract(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		anon := *c
		anon.token = ""
		if st, body := anon.do("GET", "/api/v1/cases", nil); st != 401 || errCode(body) != "unauthorized" {
			t.Fatalf("no token: %d %v", st, body)
		}
		st, cs := c.do("POST", "/api/v1/cases", map[string]any{
			"title": "اختراق حساب فيسبوك لصحفية", "summary": "تم تغيير كلمة المرور والبريد", "priority": "P1",
			"language": "ar", "tags": []string{"facebook", "journalist"},
			"requester": map[string]any{"name": "Nour", "email": "nour@example.org"}})
		if st != 201 {
			t.Fatalf("create: %d %v", st, cs)
		}
		number, _ := cs["number"].(string)
		if !haven.ValidCaseNumber(number) || cs["status"] != "new" || cs["priority"] != "P1" || cs["id"] == nil || cs["title"] == "" {
			t.Fatalf("created case JSON: %v", cs)
		}
		if st, got := c.do("GET", "/api/v1/cases/"+number, nil); st != 200 || got["number"] != number {
			t.Fatalf("get: %d %v", st, got)
		}
		if st, list := c.do("GET", "/api/v1/cases?q=الحساب&status=new&limit=10", nil); st != 200 || len(items(list)) != 1 || list["next"] != "" {
			t.Fatalf("search: %d %v", st, list)
		}
		st, conflict := c.do("POST", "/api/v1/cases/"+number+"/transitions", map[string]any{"to": "resolved"})
		if st != 409 || !strings.Contains(fmt.Sprint(errField(conflict, "allowed")), "triage") {
			t.Fatalf("bad transition: %d %v", st, conflict)
		}
		if st, body := c.do("POST", "/api/v1/cases/"+number+"/transitions", map[string]any{"to": "closed"}); st != 400 || errField(body, "fields") == nil {
			t.Fatalf("closing without outcome: %d %v", st, body)
		}
		if st, body := c.do("POST", "/api/v1/cases/"+number+"/transitions", map[string]any{"to": "open"}); st != 200 || body["status"] != "open" {
			t.Fatalf("transition: %d %v", st, body)
		}
		if st, body := c.do("POST", "/api/v1/cases/"+number+"/notes", map[string]any{"body": "Called her back on Signal"}); st != 201 {
			t.Fatalf("note: %d %v", st, body)
		}
		st, tl := c.do("GET", "/api/v1/cases/"+number+"/timeline", nil)
		if st != 200 || len(items(tl)) != 4 { // created, on-call paged (P1), transitioned, note

			t.Fatalf("timeline: %d %v", st, tl)
		}
		if st, body := c.do("POST", "/api/v1/cases/"+number+"/transitions", map[string]any{"to": "closed", "outcome": "resolved"}); st != 200 || body["outcome"] != "resolved" {
			t.Fatalf("close: %d %v", st, body)
		}
		if st, _ := c.do("GET", "/api/v1/cases/HV-2026-999999", nil); st != 404 {
			t.Fatalf("missing case: %d", st)
		}
	})
}

func TestAPIBadInput(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		st, body := c.do("POST", "/api/v1/cases", map[string]any{"title": "", "priority": "P7", "requester": map[string]any{"email": "nope"}})
		fields, _ := errField(body, "fields").(map[string]any)
		if st != 400 || fields["title"] == nil || fields["priority"] == nil || fields["requester.email"] == nil {
			t.Fatalf("validation: %d %v", st, body)
		}
		if st, body := c.do("POST", "/api/v1/cases", `{"title":"x","surprise":1}`); st != 400 || !strings.Contains(fmt.Sprint(body), "surprise") {
			t.Fatalf("unknown field: %d %v", st, body)
		}
		huge := `{"title":"x","summary":"` + strings.Repeat("a", 11<<20) + `"}`
		if st, _ := c.do("POST", "/api/v1/cases", huge); st != 413 {
			t.Fatalf("oversized body: %d", st)
		}
		if st, _ := c.do("GET", "/api/v1/cases?limit=abc", nil); st != 400 {
			t.Fatalf("bad limit: %d", st)
		}
		// Nothing half-written: no case exists after the failures.
		if _, list := c.do("GET", "/api/v1/cases", nil); len(items(list)) != 0 {
			t.Fatalf("failed requests left %d cases", len(items(list)))
		}
	})
}

func TestAPIPaginationAndConcurrentCreate(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		var wg sync.WaitGroup
		numbers := make(chan string, 40)
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					st, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": fmt.Sprintf("case %d-%d", w, i), "priority": fmt.Sprintf("P%d", i%4+1)})
					if st != 201 {
						t.Errorf("create: %d %v", st, cs)
						return
					}
					numbers <- cs["number"].(string)
				}
			}(w)
		}
		wg.Wait()
		close(numbers)
		seen := map[string]bool{}
		for n := range numbers {
			seen[n] = true
		}
		paged := map[string]bool{}
		next := ""
		for pages := 0; ; pages++ {
			_, list := c.do("GET", "/api/v1/cases?sort=priority&limit=7&cursor="+next, nil)
			for _, it := range items(list) {
				paged[it.(map[string]any)["number"].(string)] = true
			}
			next, _ = list["next"].(string)
			if next == "" || pages > 10 {
				break
			}
		}
		if len(seen) != 40 || len(paged) != 40 {
			t.Fatalf("created %d unique numbers, paged through %d", len(seen), len(paged))
		}
	})
}

func items(body map[string]any) []any {
	v, _ := body["items"].([]any)
	return v
}

func errCode(body map[string]any) string {
	s, _ := errField(body, "code").(string)
	return s
}

func errField(body map[string]any, key string) any {
	e, _ := body["error"].(map[string]any)
	return e[key]
}

func TestSessionCookieAndCSRF(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	login := func(password string, header map[string]string) *http.Response {
		req, _ := http.NewRequest("POST", c.base+"/api/v1/session", strings.NewReader(`{"username":"admin","password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := login("wrong password", nil); resp.StatusCode != 401 || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong password: %d %v", resp.StatusCode, resp.Cookies())
	}
	if resp := login("a long admin password", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); resp.StatusCode != 403 {
		t.Fatalf("cross-site login: %d", resp.StatusCode)
	}
	resp := login("a long admin password", nil)
	cookies := resp.Cookies()
	if resp.StatusCode != 201 || len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Value == "" {
		t.Fatalf("login: %d %+v", resp.StatusCode, cookies)
	}
	withCookie := func(method string) int {
		req, _ := http.NewRequest(method, c.base+"/api/v1/session", nil)
		req.AddCookie(cookies[0])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := withCookie("GET"); st != 200 {
		t.Fatalf("session: %d", st)
	}
	// The cookie is not an API credential: the API wants a bearer token.
	req, _ := http.NewRequest("GET", c.base+"/api/v1/cases", nil)
	req.AddCookie(cookies[0])
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 {
		t.Fatalf("API with cookie only: %d", resp.StatusCode)
	}
	if st := withCookie("DELETE"); st != 204 {
		t.Fatalf("logout: %d", st)
	}
	if st := withCookie("GET"); st != 401 {
		t.Fatalf("session after logout: %d", st)
	}
}

func TestAPIAudit(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		st, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Doxxing of a lawyer", "priority": "P2"})
		if st != 201 {
			t.Fatalf("create: %d %v", st, cs)
		}
		st, page := c.do("GET", "/api/v1/audit?action=case.&case="+cs["number"].(string), nil)
		if st != 200 || len(items(page)) != 1 || items(page)[0].(map[string]any)["hash"] == "" {
			t.Fatalf("audit list: %d %v", st, page)
		}
		if st, body := c.do("GET", "/api/v1/audit?since=yesterday", nil); st != 400 || errField(body, "fields") == nil {
			t.Fatalf("malformed audit request: %d %v", st, body)
		}
		req, _ := http.NewRequest("GET", c.base+"/api/v1/audit/export?action=user.", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
			strings.Count(string(body), "\n") != 2 {
			t.Fatalf("export: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
		}
	})
}

func TestAPINeedToKnow(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		st, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Threat to a witness", "compartment": "threat-to-life"})
		if st != 201 || cs["compartment"] != "threat-to-life" || cs["restricted"] != true {
			t.Fatalf("create restricted: %d %v", st, cs)
		}
		number := cs["number"].(string)
		// The admin is not a member: the case does not exist for them, in reads and in lists.
		if st, _ := c.do("GET", "/api/v1/cases/"+number, nil); st != 404 {
			t.Fatalf("outsider GET: %d, want 404", st)
		}
		if _, list := c.do("GET", "/api/v1/cases", nil); len(items(list)) != 0 {
			t.Fatalf("a restricted case leaked into the list: %v", list)
		}
		if st, body := c.do("POST", "/api/v1/cases/"+number+"/break-glass", map[string]any{"reason": ""}); st != 400 {
			t.Fatalf("break-glass without a reason: %d %v", st, body)
		}
		if st, body := c.do("POST", "/api/v1/cases/"+number+"/break-glass", map[string]any{"reason": "witness unreachable, police asking"}); st != 200 || body["number"] != number {
			t.Fatalf("break-glass: %d %v", st, body)
		}
		if st, _ := c.do("GET", "/api/v1/cases/"+number, nil); st != 200 {
			t.Fatalf("after break-glass: %d", st)
		}
	})
}

// formFile is a request body of one file sent as multipart/form-data in the field "file".
type formFile struct{ name, content string }

func (f formFile) encode() (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", f.name)
	fw.Write([]byte(f.content))
	mw.Close()
	return &b, mw.FormDataContentType()
}
