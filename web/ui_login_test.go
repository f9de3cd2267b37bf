package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestLocalPath: a "next" target that a browser would take to another origin, once it has
// dropped tabs and line breaks and read backslashes as slashes, falls back to "/".
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/inbox":                     "/inbox",
		"/cases/HV-2026-000001?x=1":  "/cases/HV-2026-000001?x=1",
		"/search?q=a%2F%2Fb#top":     "/search?q=a%2F%2Fb#top",
		"/%2F%2Fevil.example":        "/%2F%2Fevil.example", // stays a path: browsers do not decode it
		"":                           "/",
		"inbox":                      "/",
		"//evil.example/":            "/",
		"/\t/evil.example/":          "/",
		"/%09/evil.example/":         "/%09/evil.example/", // the query was decoded once already: a literal path
		"/\r\n/evil.example":         "/",
		"\t//evil.example":           "/",
		"/\\evil.example":            "/",
		"\\\\evil.example":           "/",
		"\\/evil.example":            "/",
		"/\\/evil.example":           "/",
		" //evil.example":            "/",
		"https://evil.example/":      "/",
		"javascript:alert(1)":        "/",
		"/\x00/evil.example":         "/",
		"/x\t/y":                     "/x/y",
		"http:/\\evil.example":       "/",
		"///evil.example":            "/",
		"/\n\n/evil.example?next=//": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzLocalPath: whatever comes in, what comes out is, after a browser's normalisation, a path
// on this site: no scheme, no host, and the same when normalised again.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/inbox", "//evil.example", "/\t/evil.example/", "/\\evil", "https://x", "/a?b=//c#d", "\\\\x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next)
		norm := strings.Map(browserURLChar, got)
		u, err := url.Parse(norm)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(norm, "/") || strings.HasPrefix(norm, "//") {
			t.Fatalf("localPath(%q) = %q, which a browser reads as %+v (%v)", next, got, u, err)
		}
		if again := localPath(got); again != got {
			t.Fatalf("localPath is not stable: %q -> %q -> %q", next, got, again)
		}
	})
}

// TestLoginNextStaysOnSite: the sign-in page sends a signed-in browser to "next" only when it
// stays on this site, whatever the encoding of the query.
func TestLoginNextStaysOnSite(t *testing.T) {
	s, _ := testServer(t, &fake{})
	for raw, want := range map[string]string{
		"/%09/evil.example/":    "/",
		"%2F%2Fevil.example":    "/",
		"/%5Cevil.example":      "/",
		"%5C%5Cevil.example":    "/",
		"/%0D%0A/evil.example":  "/",
		"https:%2F%2Fevil":      "/",
		"/cases/HV-2026-000001": "/cases/HV-2026-000001",
	} {
		r := httptest.NewRequest("GET", "/login?next="+raw, nil)
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: goodSession})
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		if got := w.Header().Get("Location"); w.Code != http.StatusSeeOther || got != want {
			t.Errorf("next=%s: %d to %q, want %q", raw, w.Code, got, want)
		}
	}
}
