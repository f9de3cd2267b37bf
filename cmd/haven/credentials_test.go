package main

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestAPIResetPassword: an admin resets a password (never their own, never by choosing it); the
// one-time password signs in once to a session that must set a new one; colleagues do not see
// whose account is in that state.
func TestAPIResetPassword(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		if st, body := c.do("POST", "/api/v1/users", map[string]any{"username": "kim", "password": "a long handler password"}); st != 201 {
			t.Fatalf("add kim: %d %v", st, body)
		}
		sam := &apiClient{t: t, base: c.base, token: tokenByPage(t, c, "sam", "a long auditor password", false)}
		kim := &apiClient{t: t, base: c.base, token: tokenByPage(t, c, "kim", "a long handler password", false)}
		if st, body := c.do("PATCH", "/api/v1/users/kim", map[string]any{"password": "an admin's choice"}); st != 400 {
			t.Fatalf("an admin sets kim's password: %d %v", st, body)
		}
		if st, _ := sam.do("POST", "/api/v1/users/kim/reset-password", nil); st != 403 {
			t.Fatalf("an auditor resets: %d", st)
		}
		if st, _ := c.do("POST", "/api/v1/users/admin/reset-password", nil); st != 409 {
			t.Fatalf("an admin resets their own: %d", st)
		}
		st, body := c.do("POST", "/api/v1/users/kim/reset-password", nil)
		once, _ := body["password"].(string)
		if st != 200 || len(once) < 12 {
			t.Fatalf("reset: %d %v", st, body)
		}
		if st, body := kim.do("GET", "/api/v1/me", nil); st != 401 {
			t.Fatalf("kim's token after the reset: %d %v", st, body)
		}
		anon := &apiClient{t: t, base: c.base}
		if st, _ := anon.do("POST", "/api/v1/session", map[string]any{"username": "kim", "password": "a long handler password"}); st != 401 {
			t.Fatalf("the old password: %d", st)
		}
		if st, body := anon.do("POST", "/api/v1/session", map[string]any{"username": "kim", "password": once}); st != 201 || body["must_change_password"] != true {
			t.Fatalf("the one-time password: %d %v", st, body)
		}
		checkCredentialStateHidden(t, c, sam)
	})
}

// checkCredentialStateHidden: admins see who has a second factor or a one-time password; other
// staff see neither field for anyone but themselves.
func checkCredentialStateHidden(t *testing.T, admin, other *apiClient) {
	t.Helper()
	state := func(c *apiClient) map[string]map[string]any {
		st, list := c.do("GET", "/api/v1/users", nil)
		if st != 200 {
			t.Fatalf("users: %d %v", st, list)
		}
		out := map[string]map[string]any{}
		for _, it := range items(list) {
			u := it.(map[string]any)
			out[u["username"].(string)] = u
		}
		return out
	}
	if got := state(admin)["kim"]; got["must_change_password"] != true {
		t.Fatalf("the admin's view of kim: %v", got)
	}
	for name, u := range state(other) {
		_, tf := u["two_factor"]
		_, mc := u["must_change_password"]
		if tf || mc {
			t.Errorf("a colleague sees %s's credentials: %v", name, u)
		}
	}
}

// TestUIOneTimePassword: an admin resets a password on the admin page and sees it once; the user
// signing in with it can only set a new one, is then offered a second factor, and reads who
// reset it.
func TestUIOneTimePassword(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	admin := newBrowser(t, c.base)
	admin.signIn("admin", uiAdminPassword)
	st, body := admin.post("/admin/users/sam/reset-password", nil)
	if st != 200 || !strings.Contains(body, "One-time password for sam") {
		t.Fatalf("reset: %d\n%s", st, body)
	}
	checkPageMarkup(t, "a reset password", body)
	once := pageFind(t, body, `<code id="one-time-password">([^<]+)</code>`)
	if _, body := admin.get("/admin"); strings.Contains(body, once) || !strings.Contains(body, `<span class="badge">One-time password</span>`) {
		t.Fatal("the password is shown once; the account is marked")
	}
	sam := newBrowser(t, c.base)
	if at := sam.signIn("sam", once); at != "/account" {
		t.Fatalf("signed in with a one-time password at %s", at)
	}
	st, body, at := sam.open("/inbox")
	if st != 200 || at != "/account" || !strings.Contains(body, "given to you once") || !strings.Contains(body, `action="/account/password"`) ||
		strings.Contains(body, `action="/account/tokens"`) || strings.Contains(body, `href="/search"`) {
		t.Fatalf("before a new password, only the password form: %d at %s\n%s", st, at, body)
	}
	checkPageMarkup(t, "one-time password", body)
	if st, body := sam.post("/account/password", url.Values{"current_password": {once}, "password": {once}}); st != 422 ||
		!strings.Contains(body, "not the one you were given") {
		t.Fatalf("the same password again: %d\n%s", st, body)
	}
	if st, _ := sam.post("/account/tokens", url.Values{"name": {"x"}}); st != 403 {
		t.Fatalf("a token before a new password: %d", st)
	}
	st, body, at = sam.send("/account/password", url.Values{"current_password": {once}, "password": {"sam's own long password"}})
	if st != 200 || at != offerPage+"?flash=password_set" || !strings.Contains(body, `action="/account/two-factor"`) ||
		!strings.Contains(body, "Protect your account with a second factor") {
		t.Fatalf("after the new password: %d at %s\n%s", st, at, body)
	}
	checkPageMarkup(t, "second factor offered", body)
	if _, body := sam.get("/account"); !strings.Contains(body, "admin reset your password") {
		t.Fatalf("the account page does not say who reset the password:\n%s", body)
	}
	if st, _, at := sam.open("/inbox"); st != 200 || at != "/inbox" {
		t.Fatalf("the inbox after a new password: %d at %s", st, at)
	}
}

// TestUIReplaceSecondFactor: with a second factor on, setting up another app needs the password,
// both to start and to confirm, as the first set-up does.
func TestUIReplaceSecondFactor(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	b := newBrowser(t, c.base)
	b.signIn("admin", uiAdminPassword)
	old := enrolByPage(t, b, uiAdminPassword)
	for _, pw := range []string{"", "wrong"} {
		if st, body := b.post("/account/two-factor", url.Values{"password": {pw}}); st != 422 || !strings.Contains(body, `id="err-begin_password"`) {
			t.Fatalf("replace with %q: %d\n%s", pw, st, body)
		}
	}
	st, body := b.post("/account/two-factor", url.Values{"password": {uiAdminPassword}})
	if st != 200 || !strings.Contains(body, `id="t-confirm-password"`) {
		t.Fatalf("replace: %d\n%s", st, body)
	}
	checkPageMarkup(t, "replacing the app", body)
	secret := pageFind(t, body, `<code id="totp-secret">([A-Z2-7=]+)</code>`)
	code, _ := totp.GenerateCode(secret, time.Now())
	if st, body := b.post("/account/two-factor/confirm", url.Values{"code": {code}, "secret": {secret}}); st != 422 || !strings.Contains(body, `id="err-confirm_password"`) {
		t.Fatalf("confirm without the password: %d\n%s", st, body)
	}
	st, body = b.post("/account/two-factor/confirm", url.Values{"code": {code}, "secret": {secret}, "password": {uiAdminPassword}})
	if n := strings.Count(body, "<li><code>"); st != 200 || n != 10 || secret == old {
		t.Fatalf("confirm: %d with %d recovery codes", st, n)
	}
}
