package testenv

import (
	"os"
	"os/exec"
	"testing"
)

const (
	chromiumPath = "/usr/bin/chromium"
	chromiumHint = "install Debian package chromium"
)

// Chromium returns the path of the Chromium binary for the browser tests:
// /usr/bin/chromium, where Debian's chromium package puts it, else "chromium"
// on PATH.
//
// A missing browser fails the test; it never skips. The browser tests guard the
// web interface (accessibility, escaping, page weight), and a check that
// silently does not run is worse than a red build. This is HAVEN_REQUIRE_REAL=1
// behaviour (what make check sets for PostgreSQL), applied whether or not the
// variable is set.
func Chromium(t testing.TB) string {
	t.Helper()
	if isExecutable(chromiumPath) {
		return chromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	why := ""
	if RequireReal() {
		why = " (" + envRequire + "=1)"
	}
	if _, err := os.Stat(chromiumPath); err == nil {
		t.Fatalf("testenv: %s exists but is not an executable file%s: %s", chromiumPath, why, chromiumHint)
	}
	t.Fatalf("testenv: Chromium not found at %s nor on PATH%s; the browser tests need it: %s", chromiumPath, why, chromiumHint)
	return ""
}
