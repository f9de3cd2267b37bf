package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/testenv"
)

// TestAPIAccounts drives token revocation, sign out everywhere and the sign-in lock-out through
// the real server on both databases.
func TestAPIAccounts(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		// Nobody creates a token for someone else, admins included (the console still can).
		if st, body := c.do("POST", "/api/v1/tokens", map[string]any{"name": "sam's laptop", "read_only": true, "username": "sam"}); st != 403 ||
			!strings.Contains(fmt.Sprint(body), "nobody can create a token for someone else") {
			t.Fatalf("admin creates sam's token: %d %v", st, body)
		}
		sam := *c
		sam.token = tokenByPage(t, c, "sam", "a long auditor password", true)
		_, list := sam.do("GET", "/api/v1/tokens", nil)
		id := items(list)[0].(map[string]any)["id"]
		// A read-only token creates no token, not even a read-only one.
		for _, ro := range []bool{true, false} {
			if st, body := sam.do("POST", "/api/v1/tokens", map[string]any{"name": "more", "read_only": ro}); st != 403 {
				t.Fatalf("a read-only token creates a token (read_only %v): %d %v", ro, st, body)
			}
		}
		if st, _ := sam.do("GET", "/api/v1/me", nil); st != 200 {
			t.Fatalf("new token: %d", st)
		}
		st, list := sam.do("GET", "/api/v1/tokens", nil)
		if st != 200 || len(items(list)) != 1 || items(list)[0].(map[string]any)["last_used"] == nil {
			t.Fatalf("own tokens: %d %v", st, list)
		}
		if st, body := sam.do("GET", "/api/v1/tokens?username=admin", nil); st != 403 {
			t.Fatalf("someone else's tokens: %d %v", st, body)
		}
		if st, _ := sam.do("DELETE", fmt.Sprintf("/api/v1/tokens/%v", id), nil); st != 403 {
			t.Fatalf("read-only token revoking: %d", st)
		}
		if st, _ := c.do("DELETE", fmt.Sprintf("/api/v1/tokens/%v", id), nil); st != 204 {
			t.Fatalf("admin revokes: %d", st)
		}
		if st, body := sam.do("GET", "/api/v1/me", nil); st != 401 || errCode(body) != "unauthorized" {
			t.Fatalf("revoked token still works: %d %v", st, body)
		}
		if st, list := c.do("GET", "/api/v1/tokens?username=sam", nil); st != 200 || items(list)[0].(map[string]any)["revoked"] != true {
			t.Fatalf("revoked token listed: %d %v", st, list)
		}
		if st, _ := c.do("DELETE", "/api/v1/tokens/999999", nil); st != 404 {
			t.Fatalf("missing token: %d", st)
		}
		checkSignOutAndLockOut(t, c)
	})
}

func checkSignOutAndLockOut(t *testing.T, c *apiClient) {
	t.Helper()
	session := func(method, path, body string, cookie *http.Cookie) *http.Response {
		req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	login := func(password string) *http.Response {
		return session("POST", "/api/v1/session", `{"username":"sam","password":"`+password+`"}`, nil)
	}
	one, two := login("a long auditor password").Cookies()[0], login("a long auditor password").Cookies()[0]
	if resp := session("DELETE", "/api/v1/session?all=true", "", one); resp.StatusCode != 204 {
		t.Fatalf("sign out everywhere: %d", resp.StatusCode)
	}
	if resp := session("GET", "/api/v1/session", "", two); resp.StatusCode != 401 {
		t.Fatalf("the other session survived: %d", resp.StatusCode)
	}
	three := login("a long auditor password").Cookies()[0]
	if st, _ := c.do("POST", "/api/v1/users/sam/sign-out", nil); st != 204 {
		t.Fatalf("admin signs sam out: %d", st)
	}
	if resp := session("GET", "/api/v1/session", "", three); resp.StatusCode != 401 {
		t.Fatalf("session after admin sign-out: %d", resp.StatusCode)
	}
	for i := range 5 {
		if resp := login("wrong"); resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", c.base+"/api/v1/session", strings.NewReader(`{"username":"sam","password":"a long auditor password"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !regexp.MustCompile(`too many failed sign-ins: try again after \d\d:\d\d UTC`).Match(body.Bytes()) {
		t.Fatalf("locked out: %d %s", resp.StatusCode, body.String())
	}
	_, page := c.do("GET", "/api/v1/audit?action=user.", nil)
	var locked bool
	for _, it := range items(page) {
		e := it.(map[string]any)
		locked = locked || e["action"] == "user.locked_out" && e["object_id"] == "sam" && e["client_ip"] == "127.0.0.1"
	}
	if !locked {
		t.Fatalf("no user.locked_out event: %v", page)
	}
}

// TestTokenCommands runs haven token create/list/revoke in process.
func TestTokenCommands(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "h.db") },
		"postgres": func(t *testing.T) string { return testenv.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			key, err := keyring.GenerateMasterKey()
			if err != nil {
				t.Fatal(err)
			}
			t.Setenv("HAVEN_MASTER_KEY", key)
			t.Setenv("HAVEN_PASSWORD", "a long password here")
			db := dsn(t)
			haven := func(args ...string) (string, error) {
				var out, errOut bytes.Buffer
				if run(append(args, "--db", db), &out, &errOut) != 0 {
					return out.String(), fmt.Errorf("%s", errOut.String())
				}
				return out.String(), nil
			}
			for _, args := range [][]string{{"migrate"}, {"user", "add", "alice"}, {"user", "add", "bob"},
				{"token", "create", "--user", "alice", "--name", "laptop"},
				{"token", "create", "--user", "alice", "--name", "backup-script", "--read-only"}} {
				if out, err := haven(args...); err != nil {
					t.Fatalf("%v: %v %s", args, err, out)
				}
			}
			if _, err := haven("token", "revoke", "--user", "bob", "1"); err == nil || !strings.Contains(err.Error(), "token 1 not found") {
				t.Fatalf("revoking another user's token: %v", err)
			}
			if out, err := haven("token", "revoke", "--user", "alice", "1"); err != nil || out != "revoked token 1 of alice\n" {
				t.Fatalf("revoke: %v %q", err, out)
			}
			out, err := haven("token", "list", "--user", "alice")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if err != nil || len(lines) != 3 || !regexp.MustCompile(`^ID\s+NAME\s+SCOPE\s+CREATED\s+LAST USED\s+REVOKED$`).MatchString(lines[0]) ||
				!regexp.MustCompile(`^2\s+backup-script\s+read-only\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+never\s+no$`).MatchString(lines[1]) ||
				!regexp.MustCompile(`^1\s+laptop\s+read-write\s+.*\s+never\s+yes$`).MatchString(lines[2]) {
				t.Fatalf("token list: %v\n%s", err, out)
			}
		})
	}
}

// TestAPILoginOddUsernames checks that any typed name is counted, not turned into a 500: a NUL
// byte, or a long name cut inside a character, which PostgreSQL's text type refuses.
func TestAPILoginOddUsernames(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		anon := *c
		anon.token = ""
		for _, name := range []string{"\u0000admin", strings.Repeat("é", 200), "My Secret Pass!"} {
			if st, body := anon.do("POST", "/api/v1/session", map[string]any{"username": name, "password": "x"}); st != 401 {
				t.Fatalf("%q: %d %v", name, st, body)
			}
		}
	})
}

// TestAPITwoFactor: enrol over the API, then signing in needs the code; the secret is stored
// encrypted (grepped for in the SQLite file).
func TestAPITwoFactor(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		if st, body := c.do("POST", "/api/v1/account/two-factor", nil); st != 400 || errField(body, "fields") == nil {
			t.Fatalf("begin without the password: %d %v", st, body)
		}
		st, enr := c.do("POST", "/api/v1/account/two-factor", map[string]any{"password": "a long admin password"})
		if st != 201 || enr["secret"] == nil {
			t.Fatalf("begin: %d %v", st, enr)
		}
		secret := enr["secret"].(string)
		if st, body := c.do("POST", "/api/v1/account/two-factor/confirm", map[string]any{"code": "000000", "password": "a long admin password"}); st != 400 || errField(body, "code") == nil {
			t.Fatalf("wrong code: %d %v", st, body)
		}
		code, _ := totp.GenerateCode(secret, time.Now())
		st, rec := c.do("POST", "/api/v1/account/two-factor/confirm", map[string]any{"code": code, "password": "a long admin password"})
		if st != 200 || len(rec["recovery_codes"].([]any)) != 10 {
			t.Fatalf("confirm: %d %v", st, rec)
		}
		anon := &apiClient{t: t, base: c.base}
		st, body := anon.do("POST", "/api/v1/session", map[string]any{"username": "admin", "password": "a long admin password"})
		if st != 401 || errCode(body) != "totp_required" {
			t.Fatalf("password alone: %d %v", st, body)
		}
		recovery := rec["recovery_codes"].([]any)[0]
		if st, body := anon.do("POST", "/api/v1/session", map[string]any{"username": "admin", "password": "a long admin password", "code": recovery}); st != 201 || body["two_factor"] != true {
			t.Fatalf("with a recovery code: %d %v", st, body)
		}
		if st, body := c.do("GET", "/api/v1/account/two-factor", nil); st != 200 || body["enabled"] != true || body["recovery_codes_left"] != float64(9) {
			t.Fatalf("status: %d %v", st, body)
		}
		grepTree(t, c.data, secret)
		if st, _ := c.do("PUT", "/api/v1/settings/two-factor", map[string]any{"required": true}); st != 200 {
			t.Fatalf("require: %d", st)
		}
		if st, _ := c.do("POST", "/api/v1/users/admin/two-factor/disable", map[string]any{"password": "a long admin password"}); st != 204 {
			t.Fatalf("disable: %d", st)
		}
	})
}

// tokenByPage signs username in with a browser and creates a token on their account page, the
// way a person gets their first token.
func tokenByPage(t *testing.T, c *apiClient, username, password string, readOnly bool) string {
	t.Helper()
	b := newBrowser(t, c.base)
	b.signIn(username, password)
	form := url.Values{"name": {"by page"}}
	if readOnly {
		form.Set("read_only", "true")
	}
	st, body := b.post("/account/tokens", form)
	if st != 201 {
		t.Fatalf("%s creates a token: %d\n%s", username, st, body)
	}
	return pageFind(t, body, `<code id="new-token">([^<]+)</code>`)
}

// TestAPIChangeOwnPassword: PATCH /api/v1/me changes one's own name and language, and the
// password only with the current one; a new password revokes the account's tokens (this one
// too) and the new one signs in.
func TestAPIChangeOwnPassword(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		if st, body := c.do("PATCH", "/api/v1/me", map[string]any{"display_name": "Admin Person", "language": "ar"}); st != 200 ||
			body["display_name"] != "Admin Person" || body["language"] != "ar" {
			t.Fatalf("name and language: %d %v", st, body)
		}
		if st, body := c.do("PATCH", "/api/v1/me", map[string]any{"password": "a brand new passphrase"}); st != 400 || apiFieldError(body, "current_password") == nil {
			t.Fatalf("without the current password: %d %v", st, body)
		}
		if st, body := c.do("PATCH", "/api/v1/me", map[string]any{"password": "a brand new passphrase", "current_password": "not it at all"}); st != 400 || apiFieldError(body, "current_password") == nil {
			t.Fatalf("a wrong current password: %d %v", st, body)
		}
		if st, body := c.do("PATCH", "/api/v1/me", map[string]any{"role": "auditor"}); st != 400 {
			t.Fatalf("a field that is not one's own to change: %d %v", st, body)
		}
		if st, body := c.do("PATCH", "/api/v1/me", map[string]any{"password": "a brand new passphrase", "current_password": "a long admin password"}); st != 200 {
			t.Fatalf("change: %d %v", st, body)
		}
		if st, _ := c.do("GET", "/api/v1/me", nil); st != 401 {
			t.Fatalf("the token must be revoked with the old password: %d", st)
		}
		anon := &apiClient{t: t, base: c.base}
		if st, _ := anon.do("POST", "/api/v1/session", map[string]any{"username": "admin", "password": "a long admin password"}); st != 401 {
			t.Fatalf("the old password still signs in: %d", st)
		}
		if st, body := anon.do("POST", "/api/v1/session", map[string]any{"username": "admin", "password": "a brand new passphrase"}); st != 201 {
			t.Fatalf("the new password: %d %v", st, body)
		}
	})
}

// apiFieldError is the message an API error body gives for one field.
func apiFieldError(body map[string]any, field string) any {
	fields, _ := errField(body, "fields").(map[string]any)
	return fields[field]
}
