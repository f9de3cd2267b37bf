package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// send posts a form like browser.post and also returns the path the browser ended on after
// following redirects.
func (b *browser) send(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// open is browser.get that also returns the path the browser ended on.
func (b *browser) open(path string) (int, string, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(req)
}

func (b *browser) do(req *http.Request) (int, string, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Request.URL.RequestURI()
}

// signIn signs a browser in with a password only, and returns where it landed.
func (b *browser) signIn(username, password string) string {
	b.t.Helper()
	st, body, at := b.send("/login", url.Values{"username": {username}, "password": {password}})
	if st != 200 || strings.HasPrefix(at, "/login") {
		b.t.Fatalf("sign in as %s: %d at %s\n%s", username, st, at, body)
	}
	return at
}

// find returns the first group of re in body, failing the test when there is none.
func pageFind(t *testing.T, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in the page:\n%s", re, body)
	}
	return m[1]
}

func checkPageMarkup(t *testing.T, what, body string) {
	t.Helper()
	if i := strings.Index(body, "[["); i >= 0 {
		t.Errorf("%s: an untranslated string: %s", what, body[i:min(len(body), i+80)])
	}
	if strings.Contains(body, "<svg") {
		t.Errorf("%s: inline SVG markup", what)
	}
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if ids[m[1]] {
			t.Errorf("%s: duplicate id %q", what, m[1])
		}
		ids[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `for="`+m[1]+`"`) {
			t.Errorf("%s: control #%s has no label", what, m[1])
		}
	}
}

const (
	uiAdminPassword   = "a long admin password"
	uiAuditorPassword = "a long auditor password"
)

func TestUIAccountPassword(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	b := newBrowser(t, c.base)
	b.signIn("sam", uiAuditorPassword)
	st, body := b.get("/account")
	if st != 200 || !strings.Contains(body, `action="/account/password"`) || !strings.Contains(body, `aria-current="page"`) {
		t.Fatalf("account page: %d\n%s", st, body)
	}
	checkPageMarkup(t, "account", body)
	st, body = b.post("/account/password", url.Values{"current_password": {"not it"}, "password": {"a brand new passphrase"}})
	if st != 422 || !strings.Contains(body, `id="err-current_password"`) || strings.Contains(body, "a brand new passphrase") {
		t.Fatalf("wrong current password: %d\n%s", st, body)
	}
	st, body = b.post("/account/password", url.Values{"current_password": {uiAuditorPassword}, "password": {"short"}})
	if st != 422 || !strings.Contains(body, `id="err-password"`) {
		t.Fatalf("too short: %d\n%s", st, body)
	}
	other := newBrowser(t, c.base)
	other.signIn("sam", uiAuditorPassword)
	st, _, at := b.send("/account/password", url.Values{"current_password": {uiAuditorPassword}, "password": {"a brand new passphrase"}})
	if st != 200 || !strings.HasPrefix(at, "/login") {
		t.Fatalf("password changed: %d at %s", st, at)
	}
	for _, br := range []*browser{b, other} {
		if _, body, at := br.open("/inbox"); !strings.HasPrefix(at, "/login") || !strings.Contains(body, `name="password"`) {
			t.Fatalf("after a password change every session is over: at %s", at)
		}
	}
	if st, _, _ := b.send("/login", url.Values{"username": {"sam"}, "password": {uiAuditorPassword}}); st != 401 {
		t.Fatalf("the old password: %d", st)
	}
	b.signIn("sam", "a brand new passphrase")
	// The profile: display name and language.
	if st, _, at := b.send("/account/profile", url.Values{"display_name": {"Sam Q."}, "language": {"fr"}}); st != 200 || at != "/account?flash=saved" {
		t.Fatalf("profile: %d at %s", st, at)
	}
	if _, body := b.get("/account"); !strings.Contains(body, `lang="fr"`) || !strings.Contains(body, `value="Sam Q."`) {
		t.Fatal("the profile was not saved")
	}
	if st, body := b.post("/account/profile", url.Values{"display_name": {"Sam"}, "language": {"xx"}}); st != 422 || !strings.Contains(body, `id="err-language"`) {
		t.Fatalf("unknown language: %d", st)
	}
	// Sign out everywhere.
	if _, _, at := b.send("/account/sign-out-all", nil); !strings.HasPrefix(at, "/login") {
		t.Fatalf("sign out everywhere: at %s", at)
	}
	if _, _, at := b.open("/account"); !strings.HasPrefix(at, "/login") {
		t.Fatalf("signed out everywhere, yet at %s", at)
	}
}

// enrolByPage sets up an authenticator app through the account page, with the account's
// password, and returns its secret.
func enrolByPage(t *testing.T, b *browser, password string) string {
	t.Helper()
	st, body := b.post("/account/two-factor", url.Values{"password": {password}})
	if st != 200 || !strings.Contains(body, `src="data:image/svg&#43;xml;base64,`) {
		t.Fatalf("begin: %d\n%s", st, body)
	}
	checkPageMarkup(t, "two-factor set-up", body)
	secret := pageFind(t, body, `<code id="totp-secret">([A-Z2-7=]+)</code>`)
	st, body = b.post("/account/two-factor/confirm", url.Values{"code": {"000000"}, "secret": {secret}, "password": {password}})
	if st != 422 || !strings.Contains(body, `id="err-code"`) || !strings.Contains(body, secret) {
		t.Fatalf("a wrong code: %d\n%s", st, body)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	st, body = b.post("/account/two-factor/confirm", url.Values{"code": {code}, "secret": {secret}, "password": {password}})
	if n := strings.Count(body, "<li><code>"); st != 200 || n != 10 {
		t.Fatalf("confirm: %d with %d recovery codes\n%s", st, n, body)
	}
	checkPageMarkup(t, "recovery codes", body)
	return secret
}

// signInWithCode signs in through both steps of the sign-in page.
func signInByPage(t *testing.T, b *browser, username, password, secret string) string {
	t.Helper()
	st, body := b.post("/login", url.Values{"username": {username}, "password": {password}})
	if st != 200 || !strings.Contains(body, `action="/login/code"`) {
		t.Fatalf("the password alone must lead to the code step: %d\n%s", st, body)
	}
	challenge := pageFind(t, body, `name="challenge" value="([^"]+)"`)
	// The code of the next time step: the one of this step may have been used to enrol.
	code, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	st, _, at := b.send("/login/code", url.Values{"challenge": {challenge}, "code": {code}, "next": {"/inbox"}})
	if st != 200 || strings.HasPrefix(at, "/login") {
		t.Fatalf("the code step: %d at %s", st, at)
	}
	return at
}

func TestUITwoFactorEnrolment(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	b := newBrowser(t, c.base)
	b.signIn("admin", uiAdminPassword)
	if _, body := b.get("/account"); !strings.Contains(body, `action="/account/two-factor"`) {
		t.Fatal("no set-up button")
	}
	if st, body := b.post("/account/two-factor", nil); st != 422 || !strings.Contains(body, `id="err-begin_password"`) {
		t.Fatalf("set-up without the password: %d\n%s", st, body)
	}
	secret := enrolByPage(t, b, uiAdminPassword)
	if _, body := b.get("/account"); !strings.Contains(body, "10 recovery codes left") || strings.Contains(body, "<li><code>") {
		t.Fatalf("after the set-up:\n%s", body)
	}
	b2 := newBrowser(t, c.base)
	if at := signInByPage(t, b2, "admin", uiAdminPassword, secret); at != "/inbox" {
		t.Fatalf("signed in at %s", at)
	}
	// Removing it needs the password.
	if st, body := b2.post("/account/two-factor/disable", url.Values{"password": {"wrong"}}); st != 422 || !strings.Contains(body, `id="err-totp_password"`) {
		t.Fatalf("remove with a wrong password: %d\n%s", st, body)
	}
	if st, _, at := b2.send("/account/two-factor/disable", url.Values{"password": {uiAdminPassword}}); st != 200 || at != "/account?flash=totp_off" {
		t.Fatalf("remove: %d at %s", st, at)
	}
	if at := newBrowser(t, c.base).signIn("admin", uiAdminPassword); at != "/inbox" {
		t.Fatalf("without two-factor: at %s", at)
	}
}

func TestUIAccountTokens(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	b := newBrowser(t, c.base)
	b.signIn("admin", uiAdminPassword)
	if st, body := b.post("/account/tokens", url.Values{"name": {" "}}); st != 422 || !strings.Contains(body, `id="err-token_name"`) {
		t.Fatalf("a token without a name: %d", st)
	}
	st, body := b.post("/account/tokens", url.Values{"name": {"zq export script"}, "read_only": {"true"}})
	if st != 201 || !strings.Contains(body, "Copy this token now") {
		t.Fatalf("create: %d\n%s", st, body)
	}
	checkPageMarkup(t, "a new token", body)
	token := pageFind(t, body, `<code id="new-token">([^<]+)</code>`)
	api := &apiClient{t: t, base: c.base, token: token}
	if st, _ := api.do("GET", "/api/v1/cases", nil); st != 200 {
		t.Fatalf("the new token: %d", st)
	}
	if st, _ := api.do("POST", "/api/v1/cases", map[string]any{"title": "x"}); st != 403 {
		t.Fatalf("a read-only token writes: %d", st)
	}
	_, body = b.get("/account")
	if strings.Contains(body, token) || !strings.Contains(body, "zq export script") || !strings.Contains(body, "Read-only") {
		t.Fatalf("the token is shown once, then listed:\n%s", body)
	}
	action := pageFind(t, body, `action="(/account/tokens/\d+/revoke)"`)
	if st, _, at := b.send(action, nil); st != 200 || at != "/account?flash=token_revoked" {
		t.Fatalf("revoke: %d at %s", st, at)
	}
	if st, _ := api.do("GET", "/api/v1/cases", nil); st != 401 {
		t.Fatalf("a revoked token: %d", st)
	}
	if _, body := b.get("/account"); !strings.Contains(body, `<span class="badge">Revoked</span>`) {
		t.Fatal("the revoked token is not marked")
	}
	if st, _ := b.post("/account/tokens/999999/revoke", nil); st != 404 {
		t.Fatalf("someone else's or no token: %d", st)
	}
}

func TestUIRequesters(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	_, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Stalkerware on a phone", "priority": "P2",
		"requester": map[string]any{"name": "Nour <b>Haddad</b>", "email": "nour@example.org"}})
	number := cs["number"].(string)
	c.do("POST", "/api/v1/cases", map[string]any{"title": "Other", "requester": map[string]any{"pseudonym": "Kestrel", "email": "k@example.net"}})
	id := fmt.Sprint(cs["requester_id"])
	b := newBrowser(t, c.base)
	b.signIn("admin", uiAdminPassword)
	st, body := b.get("/requesters")
	if st != 200 || !strings.Contains(body, "Nour &lt;b&gt;Haddad&lt;/b&gt;") || !strings.Contains(body, "Kestrel") {
		t.Fatalf("requesters: %d\n%s", st, body)
	}
	checkPageMarkup(t, "requesters", body)
	if _, body := b.get("/requesters?contact=NOUR@example.org"); !strings.Contains(body, "Haddad") || strings.Contains(body, "Kestrel") {
		t.Fatalf("by contact:\n%s", body)
	}
	if _, body := b.get("/requesters?name=kestr"); strings.Contains(body, "Haddad") || !strings.Contains(body, "Kestrel") {
		t.Fatalf("by name:\n%s", body)
	}
	st, body = b.get("/requesters/" + id)
	if st != 200 || !strings.Contains(body, number) || !strings.Contains(body, "nour@example.org") || strings.Contains(body, "<b>Haddad") {
		t.Fatalf("requester: %d\n%s", st, body)
	}
	checkPageMarkup(t, "a requester", body)
	edit := url.Values{"pseudonym": {"Sparrow"}, "name": {"Nour Haddad"}, "languages": {"ar, fr"}, "vetting": {"vetted"},
		"vouched_by": {"Partner org"}, "risk_notes": {"Device may be monitored.\nCall only after 18:00."}}
	if st, _, at := b.send("/requesters/"+id+"/edit", edit); st != 200 || at != "/requesters/"+id+"?flash=saved" {
		t.Fatalf("edit: %d at %s", st, at)
	}
	_, body = b.get("/requesters/" + id)
	for _, want := range []string{"Sparrow", "ar, fr", "Partner org", "Call only after 18:00.", "<option value=\"vetted\" selected>"} {
		if !strings.Contains(body, want) {
			t.Errorf("after the edit, the page lacks %q", want)
		}
	}
	edit.Set("languages", "ar, not a language!")
	if st, body := b.post("/requesters/"+id+"/edit", edit); st != 422 || !strings.Contains(body, `id="err-languages"`) || !strings.Contains(body, "not a language!") {
		t.Fatalf("a bad language: %d\n%s", st, body)
	}
	if st, _ := b.get("/requesters/999999"); st != 404 {
		t.Fatalf("no such requester: %d", st)
	}
	// An auditor reads, but has no edit form, and the service refuses the post.
	a := newBrowser(t, c.base)
	a.signIn("sam", uiAuditorPassword)
	if st, body := a.get("/requesters/" + id); st != 200 || strings.Contains(body, "/edit\"") {
		t.Fatalf("auditor: %d", st)
	}
	if st, _ := a.post("/requesters/"+id+"/edit", edit); st != 403 {
		t.Fatalf("auditor edits: %d", st)
	}
}

func TestUIAdmin(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	b := newBrowser(t, c.base)
	b.signIn("admin", uiAdminPassword)
	st, body := b.get("/admin")
	if st != 200 || !strings.Contains(body, `id="role-sam"`) {
		t.Fatalf("admin: %d\n%s", st, body)
	}
	checkPageMarkup(t, "admin", body)
	st, body = b.post("/admin/users", url.Values{"username": {"Bad Name"}, "email": {"nope"}, "role": {"handler"}, "password": {"short"}})
	if st != 422 || !strings.Contains(body, `id="err-username"`) || !strings.Contains(body, `id="err-email"`) || !strings.Contains(body, `id="err-password"`) {
		t.Fatalf("a bad new user: %d\n%s", st, body)
	}
	newUser := url.Values{"username": {"kim"}, "display_name": {"Kim"}, "email": {"kim@example.org"}, "role": {"handler"},
		"language": {"es"}, "password": {"a long handler password"}}
	if st, _, at := b.send("/admin/users", newUser); st != 200 || at != "/admin?flash=user_added" {
		t.Fatalf("add user: %d at %s", st, at)
	}
	if st, body := b.post("/admin/users", newUser); st != 422 || !strings.Contains(body, `id="err-username"`) {
		t.Fatalf("the same username again: %d", st)
	}
	if _, _, at := b.send("/admin/users/kim", url.Values{"role": {"lead"}}); at != "/admin?flash=saved" {
		t.Fatalf("change role: at %s", at)
	}
	if st, _ := b.post("/admin/users/admin", url.Values{"disabled": {"true"}}); st != 409 {
		t.Fatalf("disabling oneself: %d", st)
	}
	// Teams.
	if st, body := b.post("/admin/teams", url.Values{"name": {"Tier One"}}); st != 422 || !strings.Contains(body, `id="err-team_name"`) {
		t.Fatalf("a bad team name: %d", st)
	}
	if _, _, at := b.send("/admin/teams", url.Values{"name": {"tier1"}}); at != "/admin?flash=saved" {
		t.Fatalf("create team: at %s", at)
	}
	if _, _, at := b.send("/admin/teams/tier1/members", url.Values{"username": {"kim"}}); at != "/admin?flash=member_added" {
		t.Fatalf("add member: at %s", at)
	}
	_, body = b.get("/admin")
	if !strings.Contains(body, `action="/admin/teams/tier1/members/kim/remove"`) || !strings.Contains(body, `<option value="lead" selected>`) {
		t.Fatalf("team member and role:\n%s", body)
	}
	checkPageMarkup(t, "admin with a team", body)
	if _, _, at := b.send("/admin/teams/tier1/members/kim/remove", nil); at != "/admin?flash=saved" {
		t.Fatalf("remove member: at %s", at)
	}
	// Others get the refusal.
	sam := newBrowser(t, c.base)
	sam.signIn("sam", uiAuditorPassword)
	if st, body := sam.get("/admin"); st != 403 || strings.Contains(body, "role-kim") {
		t.Fatalf("an auditor on /admin: %d", st)
	}
	if st, _ := sam.post("/admin/users", newUser); st != 403 {
		t.Fatalf("an auditor adds a user: %d", st)
	}
	// A user's second factor, removed by an admin.
	kim := newBrowser(t, c.base)
	kim.signIn("kim", "a long handler password")
	secret := enrolByPage(t, kim, "a long handler password")
	if _, body := b.get("/admin"); !strings.Contains(body, `action="/admin/users/kim/two-factor/disable"`) {
		t.Fatal("no way to remove kim's second factor")
	}
	if _, _, at := b.send("/admin/users/kim/two-factor/disable", nil); at != "/admin?flash=totp_off" {
		t.Fatalf("remove kim's second factor: at %s", at)
	}
	_ = secret
	if at := newBrowser(t, c.base).signIn("kim", "a long handler password"); at != "/inbox" {
		t.Fatalf("kim without a second factor: at %s", at)
	}
}

func TestUIMandatoryTwoFactor(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	b := newBrowser(t, c.base)
	b.signIn("admin", uiAdminPassword)
	if _, _, at := b.send("/admin/two-factor", url.Values{"required": {"true"}}); at != "/account" {
		// The admin has no second factor either: the next page is the set-up.
		t.Fatalf("require: at %s", at)
	}
	sam := newBrowser(t, c.base)
	if at := sam.signIn("sam", uiAuditorPassword); at != "/account" {
		t.Fatalf("without a second factor, sign-in leads to %s", at)
	}
	st, body, at := sam.open("/inbox")
	if st != 200 || at != "/account" || !strings.Contains(body, "requires two-factor authentication") ||
		strings.Contains(body, `action="/account/password"`) || strings.Contains(body, `href="/inbox" aria-current`) {
		t.Fatalf("the inbox leads to the set-up only: %d at %s\n%s", st, at, body)
	}
	checkPageMarkup(t, "mandatory set-up", body)
	if st, _ := sam.post("/account/password", url.Values{"current_password": {uiAuditorPassword}, "password": {"another long password"}}); st != 403 {
		t.Fatalf("other changes before enrolling: %d", st)
	}
	secret := enrolByPage(t, sam, uiAuditorPassword)
	if st, _, at := sam.open("/inbox"); st != 200 || at != "/inbox" {
		t.Fatalf("enrolled, the inbox: %d at %s", st, at)
	}
	if at := signInByPage(t, newBrowser(t, c.base), "sam", uiAuditorPassword, secret); at != "/inbox" {
		t.Fatalf("signed in with the code at %s", at)
	}
	// The admin enrols too, then sees the setting and turns it off.
	enrolByPage(t, b, uiAdminPassword)
	_, body = b.get("/admin")
	if !strings.Contains(body, "required for everyone") || !strings.Contains(body, `name="required" value="true" checked`) {
		t.Fatalf("the setting is not shown:\n%s", body)
	}
	if _, _, at := b.send("/admin/two-factor", nil); at != "/admin?flash=required_off" {
		t.Fatalf("make optional: at %s", at)
	}
}

func TestUINotifications(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	if st, body := c.do("POST", "/api/v1/compartments/threat-to-life/members", map[string]any{"username": "sam"}); st != 200 {
		t.Fatalf("compartment member: %d %v", st, body)
	}
	_, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Threat to a witness", "compartment": "threat-to-life"})
	number := cs["number"].(string)
	if st, body := c.do("POST", "/api/v1/cases/"+number+"/break-glass", map[string]any{"reason": "zq police <asking>"}); st != 200 {
		t.Fatalf("break-glass: %d %v", st, body)
	}
	b := newBrowser(t, c.base)
	b.signIn("sam", uiAuditorPassword)
	_, body := b.get("/account")
	// The notice names who broke the glass and the case, in the reader's words; the reason is on
	// the case's timeline, not in a notification (which may be emailed).
	if strings.Contains(body, "zq police") || !strings.Contains(body, "broke the glass to open this restricted case") || !strings.Contains(body, `href="/cases/`+number+`"`) ||
		!strings.Contains(body, "2 unread notifications") || !strings.Contains(body, `action="/account/notifications/read"`) { // joining the compartment, then the break-glass
		t.Fatalf("notifications:\n%s", body)
	}
	checkPageMarkup(t, "notifications", body)
	upto := pageFind(t, body, `name="upto" value="(\d+)"`)
	if _, _, at := b.send("/account/notifications/read", url.Values{"upto": {upto}}); at != "/account?flash=saved" {
		t.Fatalf("mark read: at %s", at)
	}
	if _, body := b.get("/account"); strings.Contains(body, "unread notification") || strings.Contains(body, `action="/account/notifications/read"`) ||
		!strings.Contains(body, "broke the glass to open this restricted case") {
		t.Fatalf("after marking read:\n%s", body)
	}
}
