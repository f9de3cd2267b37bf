package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-helpline/haven"
)

// firstRun is a server started as `haven serve` starts on an empty database: its only admin has
// the one-time password the console printed. A handler has logged unassigned cases.
type firstRun struct {
	base, once string
	cases      []string // the cases' numbers
	api        *apiClient
}

// offerPage is where the second factor is offered after a first password (web.offerPath).
const offerPage = "/account/two-factor/offer"

func startFirstRun(t *testing.T, cases int) *firstRun {
	t.Helper()
	e := &env{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	data := t.TempDir()
	cmd := ServeCmd{DBFlags: DBFlags{DB: filepath.Join(data, "h.db"), Data: data}}
	a, err := cmd.prepare(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	_, once, err := a.svc.BootstrapAdmin(e.ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	hana, err := a.svc.CreateUserAsSystem(e.ctx, haven.UserCreate{Username: "hana", Role: haven.RoleHandler, Password: "a long handler password"}, false)
	if err != nil {
		t.Fatal(err)
	}
	f := &firstRun{once: once}
	for i := range cases {
		c, err := a.svc.CreateCase(haven.WithActor(e.ctx, haven.Actor{User: hana}), haven.CaseCreate{
			Title: "Phishing page " + string(rune('A'+i)), Priority: haven.P3, Language: "en", Channel: "email"})
		if err != nil {
			t.Fatal(err)
		}
		f.cases = append(f.cases, c.Number)
	}
	srv := httptest.NewServer(newServer(e, a, webOptions{}).Handler())
	t.Cleanup(srv.Close)
	token, _, err := a.svc.CreateTokenAsSystem(e.ctx, "admin", "console", false)
	if err != nil {
		t.Fatal(err)
	}
	f.base, f.api = srv.URL, &apiClient{t: t, base: srv.URL, token: token, data: data, app: a, env: e}
	return f
}

// TestBrowserFirstRun: the first admin signs in with the printed password and is held on the
// page that asks for their own; a wrong current password and a password that is the one given
// are refused beside their fields, in English and in Arabic; the new password leads to the offer
// of a second factor and, "Later", to the inbox's Unassigned queue, as Mine is empty. The new
// pages pass axe.
func TestBrowserFirstRun(t *testing.T) {
	f := startFirstRun(t, 3)
	tb := newTab(t, f.base)
	tb.open("/")
	tb.signIn("admin", f.once)
	if at := tb.location(); at != "/account" {
		tb.fatalf("the first sign-in landed at %s", at)
	}
	tb.open("/inbox")
	if at := tb.location(); at != "/account" || evalJS[bool](tb, `!!document.querySelector('a[href="/search"]')`) {
		tb.fatalf("before a password of their own, the admin reached %s, or the navigation", at)
	}
	tb.axe("the new-password page")

	typeNewPassword(tb, "not the printed password", "the admin's own long password")
	fieldError(tb, "p-current", "err-current_password", "Wrong password.")

	tb.switchLanguage("ar")
	typeNewPassword(tb, f.once, f.once)
	fieldError(tb, "p-new", "err-password", "اختر كلمة مرور خاصة بك، لا الكلمة التي أُعطيت لك.")
	tb.axe("the new-password page in Arabic, with an error")

	tb.switchLanguage("en")
	typeNewPassword(tb, f.once, "the admin's own long password")
	if at := tb.location(); !strings.HasPrefix(at, offerPage) {
		tb.fatalf("after the new password: at %s, not the offer of a second factor", at)
	}
	if !evalJS[bool](tb, `!!document.querySelector("#offer-now") && document.querySelector("#offer-later").textContent.trim() === "Later"`) {
		tb.fatalf("the offer has no 'Set up two-factor now' and 'Later'")
	}
	tb.axe("the offer of a second factor")
	tb.submit("#offer-later")
	if at := tb.location(); at != "/inbox?queue=unassigned" {
		tb.fatalf("'Later' led to %s, not the Unassigned queue", at)
	}
	current := evalJS[string](tb, `document.querySelector('a[aria-current="page"][href^="/inbox?queue="]').getAttribute("href")`)
	if current != "/inbox?queue=unassigned" || len(tb.caseRows()) != len(f.cases) {
		tb.fatalf("the inbox shows %s with %d cases, want the %d unassigned", current, len(tb.caseRows()), len(f.cases))
	}
	tb.noDialogsNorExceptions()
}

// typeNewPassword fills in and sends the new-password form (its fields come back empty after a
// refusal: passwords are never sent back).
func typeNewPassword(tb *tab, current, chosen string) {
	tb.t.Helper()
	tb.do("filling in the new-password form",
		chromedp.WaitVisible(chromedp.ID("p-current")),
		chromedp.SendKeys(chromedp.ID("p-current"), current),
		chromedp.SendKeys(chromedp.ID("p-new"), chosen))
	tb.submit(`form[action="/account/password"] button[type=submit]`)
}

// fieldError checks that the refused form shows msg beside the field, tied to it for screen readers.
func fieldError(tb *tab, field, errID, msg string) {
	tb.t.Helper()
	type state struct {
		Text      string `json:"text"`
		Invalid   string `json:"invalid"`
		Described string `json:"described"`
	}
	s := evalJS[state](tb, `({text: (document.getElementById("`+errID+`") || {textContent: ""}).textContent.trim(),
		invalid: document.getElementById("`+field+`").getAttribute("aria-invalid") || "",
		described: document.getElementById("`+field+`").getAttribute("aria-describedby") || ""})`)
	if s.Text != msg || s.Invalid != "true" || !strings.Contains(s.Described, errID) {
		tb.fatalf("the error beside %s: %+v, want %q", field, s, msg)
	}
}

// TestFirstRunNextAndAPI: a deep link followed before signing in is kept through the new password
// and the offer of a second factor (and only a path of this server is); meanwhile the API refuses
// the admin's token with password_change_required; "Set up two-factor now" starts the set-up.
func TestFirstRunNextAndAPI(t *testing.T) {
	f := startFirstRun(t, 1)
	if st, body := f.api.do("GET", "/api/v1/cases", nil); st != 403 || errCode(body) != haven.EPASSWORDCHANGE {
		t.Fatalf("the first admin's token before a new password: %d %v", st, body)
	}
	b := newBrowser(t, f.base)
	deep := "/cases/" + f.cases[0]
	if st, _, at := b.open(deep); st != 200 || at != "/login?next="+url.QueryEscape(deep) {
		t.Fatalf("a deep link before signing in: %d at %s", st, at)
	}
	st, body, at := b.send("/login", url.Values{"username": {"admin"}, "password": {f.once}, "next": {deep}})
	if st != 200 || at != "/account?next="+url.QueryEscape(deep) || !strings.Contains(body, `name="next" value="`+deep+`"`) {
		t.Fatalf("signed in with the printed password: %d at %s", st, at)
	}
	st, body, at = b.send("/account/password", url.Values{"current_password": {f.once}, "password": {"the admin's own long password"}, "next": {deep}})
	if st != 200 || at != offerPage+"?next="+url.QueryEscape(deep)+"&flash=password_set" || !strings.Contains(body, `href="`+deep+`"`) {
		t.Fatalf("after the new password: %d at %s\n%s", st, at, body)
	}
	if st, body := f.api.do("GET", "/api/v1/cases", nil); st != 401 {
		t.Fatalf("the token from before the new password (revoked with it): %d %v", st, body)
	}
	if st, body, _ := b.send("/account/two-factor", url.Values{"password": {"the admin's own long password"}}); st != 200 || !strings.Contains(body, `id="totp-secret"`) {
		t.Fatalf("'Set up two-factor now': %d\n%s", st, body)
	}
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example"} {
		if st, body, _ := b.open(offerPage + "?next=" + url.QueryEscape(next)); st != 200 || !strings.Contains(body, `id="offer-later" href="/inbox"`) {
			t.Errorf("'Later' with next=%s: %d\n%s", next, st, body)
		}
	}
}
