package web

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// loginFrom posts a sign-in from the address ip.
func loginFrom(s *Server, ip string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"username":"bob","password":"x"}`))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = ip + ":4321"
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	doc := loadOpenAPI(t)
	s, _ := testServer(t, &fake{})
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.logins.now = func() time.Time { return now }
	for i := range DefaultLoginAttemptsPerMinute {
		if w := loginFrom(s, "203.0.113.5"); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	w := loginFrom(s, "203.0.113.5")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "6" || errorOf(t, w).Code != haven.ETOOMANY {
		t.Fatalf("over the limit: %d Retry-After %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	checkAnswer(t, doc, Route{Method: "POST", Pattern: "/api/v1/session"}, w)
	if w := loginFrom(s, "198.51.100.9"); w.Code != http.StatusUnauthorized {
		t.Fatalf("another address is limited too: %d", w.Code)
	}
	now = now.Add(6 * time.Second) // one attempt back every 6 s
	if w := loginFrom(s, "203.0.113.5"); w.Code != http.StatusUnauthorized {
		t.Fatalf("after Retry-After: %d", w.Code)
	}
	if w := loginFrom(s, "203.0.113.5"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("second attempt after one refill: %d", w.Code)
	}
	off := NewServer(Services{Auth: &fake{}}, Config{LoginAttemptsPerMinute: -1})
	for range 2 * DefaultLoginAttemptsPerMinute {
		if w := loginFrom(off, "203.0.113.5"); w.Code != http.StatusUnauthorized {
			t.Fatalf("limit turned off: %d", w.Code)
		}
	}
}

func TestLimiterIsBounded(t *testing.T) {
	l := newIPLimiter(10)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	for i := range 2 * maxLimited {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255))
	}
	if n := len(l.buckets); n > maxLimited {
		t.Fatalf("%d addresses remembered", n)
	}
	// Refilled buckets are forgotten first; an exhausted address keeps its count.
	now = now.Add(time.Hour)
	for range 10 {
		l.allow("192.0.2.77")
	}
	for i := range maxLimited / 2 {
		l.allow(fmt.Sprintf("172.16.%d.%d", i>>8, i&255))
	}
	if ok, wait := l.allow("192.0.2.77"); ok || wait != 6*time.Second {
		t.Fatalf("an exhausted address was forgotten: %v %v", ok, wait)
	}
	if n := len(l.buckets); n != maxLimited/2+1 {
		t.Fatalf("%d addresses remembered, want the %d in use", n, maxLimited/2+1)
	}
}

func TestHSTS(t *testing.T) {
	plain, _ := testServer(t, &fake{})
	behindProxy := NewServer(Services{Auth: &fake{}}, Config{HSTS: true})
	tests := []struct {
		name string
		s    *Server
		tls  bool
		want string
	}{
		{"plain HTTP", plain, false, ""},
		{"TLS", plain, true, "max-age=63072000; includeSubDomains"},
		{"proxy terminates TLS", behindProxy, false, "max-age=63072000; includeSubDomains"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/healthz", nil)
		if tc.tls {
			r.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		tc.s.Handler().ServeHTTP(w, r)
		if got := w.Header().Get("Strict-Transport-Security"); got != tc.want {
			t.Errorf("%s: Strict-Transport-Security = %q", tc.name, got)
		}
	}
}

func TestTokenRoutes(t *testing.T) {
	f := &fake{}
	s, _ := testServer(t, f)
	w := serve(t, s, req{method: "GET", path: "/api/v1/tokens"})
	if w.Code != 200 || !slices.Equal(f.lastArgs(), []any{"alice"}) || strings.Contains(w.Body.String(), "secret-hash") {
		t.Fatalf("own tokens: %d %v %s", w.Code, f.lastArgs(), w.Body)
	}
	if w := serve(t, s, req{method: "GET", path: "/api/v1/tokens?username=bob"}); w.Code != 200 || f.lastArgs()[0] != "bob" {
		t.Fatalf("someone's tokens: %d %v", w.Code, f.lastArgs())
	}
	if w := serve(t, s, req{method: "GET", path: "/api/v1/tokens?user=bob"}); w.Code != 400 {
		t.Fatalf("misspelt parameter: %d", w.Code)
	}
	if w := serve(t, s, req{method: "DELETE", path: "/api/v1/tokens/12"}); w.Code != 204 || w.Body.Len() != 0 ||
		!slices.Equal(f.lastArgs(), []any{"", int64(12)}) {
		t.Fatalf("revoke: %d %v", w.Code, f.lastArgs())
	}
	if w := serve(t, s, req{method: "DELETE", path: "/api/v1/tokens/twelve"}); w.Code != 404 {
		t.Fatalf("bad id: %d", w.Code)
	}
	f.err = haven.Errorf(haven.ENOTFOUND, "token 12 not found")
	if w := serve(t, s, req{method: "DELETE", path: "/api/v1/tokens/12"}); w.Code != 404 {
		t.Fatalf("someone else's token: %d", w.Code)
	}
}

func TestSignOutEverywhere(t *testing.T) {
	f := &fake{}
	s, _ := testServer(t, f)
	withCookie := func(path, cookie string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("DELETE", path, nil)
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: cookie})
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		return w
	}
	w := withCookie("/api/v1/session?all=true", goodSession)
	if w.Code != 204 || !slices.Equal(f.lastArgs(), []any{"alice", "alice"}) || !strings.Contains(w.Header().Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("sign out everywhere: %d %v %q", w.Code, f.lastArgs(), w.Header().Get("Set-Cookie"))
	}
	if w := withCookie("/api/v1/session?all=true", "hvs_stale"); w.Code != 401 {
		t.Fatalf("ended session: %d", w.Code)
	}
	if w := withCookie("/api/v1/session?all=perhaps", goodSession); w.Code != 400 {
		t.Fatalf("bad all: %d", w.Code)
	}
	if w := serve(t, s, req{method: "POST", path: "/api/v1/users/bob/sign-out"}); w.Code != 204 ||
		!slices.Equal(f.lastArgs(), []any{"alice", "bob"}) {
		t.Fatalf("sign someone out: %d %v", w.Code, f.lastArgs())
	}
}

// TestSessionCookieSecureBehindProxy: behind a proxy that terminates TLS (HSTS on) the browser
// speaks HTTPS though Haven sees HTTP: the session cookie must still be Secure.
func TestSessionCookieSecureBehindProxy(t *testing.T) {
	plain, _ := testServer(t, &fake{})
	behindProxy := NewServer(Services{Auth: &fake{}}, Config{HSTS: true})
	overTLS := httptest.NewRequest("GET", "https://haven.example/login", nil)
	overHTTP := httptest.NewRequest("GET", "/login", nil)
	for _, tc := range []struct {
		name string
		s    *Server
		r    *http.Request
		want bool
	}{
		{"plain HTTP", plain, overHTTP, false},
		{"direct TLS", plain, overTLS, true},
		{"proxy terminates TLS", behindProxy, overHTTP, true},
	} {
		c := tc.s.sessionCookie(tc.r, "token", 0)
		if c.Secure != tc.want || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("%s: Secure=%v HttpOnly=%v SameSite=%v", tc.name, c.Secure, c.HttpOnly, c.SameSite)
		}
	}
}
