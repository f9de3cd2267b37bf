package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// logLines decodes the JSON log lines written so far.
func logLines(t *testing.T, logs *syncBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestRequestIDHonouredEchoedAndLogged(t *testing.T) {
	s, logs := testServer(t, &fake{})
	w := serve(t, s, req{method: "GET", path: "/api/v1/cases/HV-2026-000001",
		header: map[string]string{"X-Request-ID": "edge-7f3a.42_b"}})
	if got := w.Header().Get("X-Request-ID"); got != "edge-7f3a.42_b" {
		t.Errorf("echoed id = %q", got)
	}
	lines := logLines(t, logs)
	if last := lines[len(lines)-1]; last["request_id"] != "edge-7f3a.42_b" || last["duration_ms"] == nil {
		t.Errorf("log line = %v", last)
	}
}

func TestRequestIDReplacedWhenNotSane(t *testing.T) {
	s, logs := testServer(t, &fake{})
	hex := regexp.MustCompile(`^[0-9a-f]{24}$`)
	seen := map[string]bool{}
	for _, incoming := range []string{"", "two words", "new\nline", strings.Repeat("a", 65), "<script>"} {
		w := serve(t, s, req{method: "GET", path: "/healthz", header: map[string]string{"X-Request-ID": incoming}})
		id := w.Header().Get("X-Request-ID")
		if !hex.MatchString(id) || seen[id] {
			t.Errorf("incoming %q: id %q is not a fresh random one", incoming, id)
		}
		seen[id] = true
	}
	if strings.Contains(logs.String(), "<script>") || strings.Contains(logs.String(), "two words") {
		t.Error("an insane incoming id reached the logs")
	}
}

func TestMetricsToken(t *testing.T) {
	s, _ := testServer(t, &fake{})
	s.cfg.MetricsToken = "a-metrics-token-of-some-length"
	for _, tc := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong-token-of-some-length", 401}, {"Bearer " + goodToken, 401},
		{"Bearer a-metrics-token-of-some-length", 200}} {
		r := req{method: "GET", path: "/metrics", token: "-"}
		if tc.auth != "" {
			r.header = map[string]string{"Authorization": tc.auth}
		}
		w := serve(t, s, r)
		if w.Code != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.auth, w.Code, tc.want)
		}
		if tc.want == 200 && !strings.Contains(w.Body.String(), "haven_build_info") {
			t.Errorf("no metrics in %s", w.Body)
		}
		if tc.want == 401 && strings.Contains(w.Body.String(), "haven_build_info") {
			t.Error("metrics served without the token")
		}
	}
}

func TestMetricsElsewhere(t *testing.T) {
	s, _ := testServer(t, &fake{})
	s.cfg.MetricsElsewhere, s.cfg.MetricsToken = true, "a-metrics-token-of-some-length"
	if w := serve(t, s, req{method: "GET", path: "/metrics", token: "-",
		header: map[string]string{"Authorization": "Bearer a-metrics-token-of-some-length"}}); w.Code != 404 {
		t.Errorf("main listener's /metrics: %d", w.Code)
	}
	h := s.MetricsHandler()
	for auth, want := range map[string]int{"": 401, "Bearer a-metrics-token-of-some-length": 200} {
		r, _ := http.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("metrics listener, Authorization %q: %d, want %d", auth, w.Code, want)
		}
	}
}

func TestRoutesLabelledByPathPattern(t *testing.T) {
	s, _ := testServer(t, &fake{})
	serve(t, s, req{method: "GET", path: "/login", token: "-"})
	serve(t, s, req{method: "GET", path: "/static/haven.css", token: "-"})
	serve(t, s, req{method: "GET", path: "/api/v1/cases/HV-2026-000001"})
	body := serve(t, s, req{method: "GET", path: "/metrics", token: "-"}).Body.String()
	for _, want := range []string{`method="GET",route="/login"`, `method="GET",route="/static/"`,
		`method="GET",route="/api/v1/cases/{number}"`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, `route="ui `) || strings.Contains(body, `route="GET `) {
		t.Error("a route label carries its method")
	}
}
