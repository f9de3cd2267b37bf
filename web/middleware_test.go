package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

func TestAuthRequired(t *testing.T) {
	tests := map[string]req{
		"no header":    {method: "GET", path: "/api/v1/cases", token: "-"},
		"bad token":    {method: "GET", path: "/api/v1/cases", token: "hvt_wrong"},
		"basic scheme": {method: "GET", path: "/api/v1/me", token: "-", header: map[string]string{"Authorization": "Basic YWxpY2U6eA=="}},
		"empty bearer": {method: "GET", path: "/api/v1/me", token: "-", header: map[string]string{"Authorization": "Bearer "}},
		"post":         {method: "POST", path: "/api/v1/cases", token: "-", body: `{"title":"x"}`},
	}
	for name, rq := range tests {
		t.Run(name, func(t *testing.T) {
			f := &fake{}
			s, _ := testServer(t, f)
			w := serve(t, s, rq)
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("status = %d: %s", w.Code, w.Body)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != "Bearer" {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			if e := errorOf(t, w); e.Code != haven.EUNAUTHORIZED {
				t.Errorf("code = %q", e.Code)
			}
			if f.lastArgs() != nil {
				t.Error("the service was called without authentication")
			}
		})
	}
}

func TestEveryAPIRouteNeedsAuth(t *testing.T) {
	s, _ := testServer(t, &fake{})
	for _, rt := range s.Routes() {
		// The session routes authenticate by cookie (or, for login, by password), not by token.
		isAPI := strings.HasPrefix(rt.Pattern, "/api/v1/") && rt.Pattern != "/api/v1/openapi.json" && rt.Pattern != "/api/v1/session"
		if rt.Auth != isAPI {
			t.Errorf("%s %s: Auth = %v", rt.Method, rt.Pattern, rt.Auth)
		}
		if !rt.Auth {
			continue
		}
		path := strings.NewReplacer("{number}", "HV-2026-000001", "{id}", "1", "{username}", "bob",
			"{name}", "tier1").Replace(rt.Pattern)
		if w := serve(t, s, req{method: rt.Method, path: path, token: "-", body: "{}"}); w.Code != 401 {
			t.Errorf("%s %s without a token: %d", rt.Method, path, w.Code)
		}
	}
}

func TestMe(t *testing.T) {
	s, _ := testServer(t, &fake{})
	w := serve(t, s, req{method: "GET", path: "/api/v1/me", header: map[string]string{"authorization": "bearer " + goodToken}})
	if w.Code != 200 {
		t.Fatalf("status = %d: %s", w.Code, w.Body)
	}
	var u map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &u); err != nil {
		t.Fatal(err)
	}
	if u["username"] != "alice" {
		t.Errorf("me = %v", u)
	}
	if strings.Contains(w.Body.String(), "argon2") || strings.Contains(w.Body.String(), "password") {
		t.Errorf("user JSON holds the password hash: %s", w.Body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	s, _ := testServer(t, &fake{})
	for _, rq := range []req{
		{method: "GET", path: "/api/v1/cases/HV-2026-000001"},
		{method: "GET", path: "/api/v1/cases", token: "-"},
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/metrics"},
		{method: "GET", path: "/nowhere"},
	} {
		w := serve(t, s, rq)
		want := map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
			"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		}
		for k, v := range want {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", rq.method, rq.path, k, got, v)
			}
		}
		if strings.HasPrefix(rq.path, "/api/") && w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: API answer may be cached", rq.path)
		}
	}
}

func TestClientIPFromRemoteAddrOnly(t *testing.T) {
	f := &fake{}
	s, _ := testServer(t, f)
	serve(t, s, req{method: "POST", path: "/api/v1/cases", body: `{"title":"x"}`,
		header: map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"}})
	if f.clientIP != "192.0.2.1" { // httptest.NewRequest's RemoteAddr is 192.0.2.1:1234
		t.Errorf("client IP = %q, want the peer address", f.clientIP)
	}
}

func TestLogsNameRouteNotSecrets(t *testing.T) {
	s, logs := testServer(t, &fake{})
	serve(t, s, req{method: "GET", path: "/api/v1/search?q=secret-search-words&limit=5"})
	serve(t, s, req{method: "POST", path: "/api/v1/cases", body: `{"title":"secret-title-text"}`})
	out := logs.String()
	for _, secret := range []string{goodToken, "secret-search-words", "secret-title-text", "HV-2026"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q: %s", secret, out)
		}
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &line); err != nil {
		t.Fatal(err)
	}
	if line["method"] != "GET" || line["route"] != "/api/v1/search" || line["status"] != float64(200) ||
		line["duration_ms"] == nil || line["user"] != "alice" {
		t.Errorf("log line = %v", line)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	f := &fake{}
	s, logs := testServer(t, f)
	for _, path := range []string{"/healthz", "/readyz"} {
		w := serve(t, s, req{method: "GET", path: path, token: "-"})
		if w.Code != 200 || w.Body.String() != `{"status":"ok"}`+"\n" {
			t.Errorf("%s: %d %s", path, w.Code, w.Body)
		}
	}
	f.ready = errors.New("schema version 3 is behind 4")
	if w := serve(t, s, req{method: "GET", path: "/readyz", token: "-"}); w.Code != http.StatusServiceUnavailable ||
		strings.Contains(w.Body.String(), "schema") {
		t.Errorf("not ready: %d %s", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "schema version 3") {
		t.Error("readiness failure not logged")
	}
	if w := serve(t, s, req{method: "GET", path: "/healthz", token: "-"}); w.Code != 200 {
		t.Errorf("healthz depends on readiness: %d", w.Code)
	}
}

func TestMetrics(t *testing.T) {
	s, _ := testServer(t, &fake{})
	serve(t, s, req{method: "GET", path: "/api/v1/cases/HV-2026-000001"})
	serve(t, s, req{method: "GET", path: "/api/v1/cases/HV-2026-000002", token: "-"})
	serve(t, s, req{method: "GET", path: "/no/such/thing"})
	w := serve(t, s, req{method: "GET", path: "/metrics", token: "-"})
	if w.Code != 200 {
		t.Fatalf("status = %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`haven_http_requests_total{code="200",method="GET",route="/api/v1/cases/{number}"} 1`,
		`haven_http_requests_total{code="401",method="GET",route="/api/v1/cases/{number}"} 1`,
		`haven_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`haven_http_request_duration_seconds_bucket{route="/api/v1/cases/{number}",le="+Inf"} 2`,
		`haven_build_info{version="test"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "HV-2026") {
		t.Error("metrics hold a case number")
	}
}

func TestServersDoNotShareMetrics(t *testing.T) {
	a, _ := testServer(t, &fake{})
	b, _ := testServer(t, &fake{})
	serve(t, a, req{method: "GET", path: "/healthz"})
	w := serve(t, b, req{method: "GET", path: "/metrics"})
	if strings.Contains(w.Body.String(), `route="/healthz"`) {
		t.Error("a request to one server shows in another's metrics")
	}
}
