package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-helpline/haven"
)

// TestBrowserCaseWorkspace: the case page as a handler lives in it (issue 16). The request is on
// top; closing without an outcome puts the focus on the outcome and opens nothing else; a change
// reads with its field and its values before and after; the history filters; a reply says what
// became of it and is in view; a reply to a case someone changed meanwhile warns first and keeps
// the text; a refused note keeps its text and says why beside the form; an auditor reads without
// a single form. In English and Arabic, with axe clean.
func TestBrowserCaseWorkspace(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	number := mustCreateCase(c, map[string]any{"title": "Compte Instagram piraté", "language": "fr",
		"summary": "Her Instagram password was changed overnight", "requester": map[string]any{"name": "Leila", "email": "leila@example.org"}})
	mustPost(c, "/api/v1/cases/"+number+"/messages", map[string]any{"direction": "in", "channel": "email",
		"from": "leila@example.org", "subject": "Aidez-moi", "text": "Mon compte a été piraté cette nuit"})
	mustPost(c, "/api/v1/users", map[string]any{"username": "rami", "role": "handler", "password": "a long handler password"})
	mustPost(c, "/api/v1/teams", map[string]any{"name": "mena"})

	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("rami", "a long handler password")
	tb.open("/cases/" + number)
	request := evalJS[string](tb, `document.querySelector("section.request").innerText`)
	if !strings.Contains(request, "changed overnight") || !strings.Contains(request, "piraté cette nuit") {
		tb.fatalf("the request: %q", request)
	}
	if !evalJS[bool](tb, `!!(document.querySelector("section.request").compareDocumentPosition(document.getElementById("tl-title")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		tb.fatalf("the request is not above the history")
	}
	if s := evalJS[string](tb, `document.getElementById("reply-subject").value`); s != "RE : Compte Instagram piraté" {
		tb.errorf("the reply's subject, in the case's language: %q", s)
	}

	// Presence: the admin replying shows on Rami's page; Rami's page tells the admin he is there,
	// and that he is writing once he types.
	mustPost(c, "/api/v1/cases/"+number+"/presence", map[string]any{"state": "replying"})
	tb.open("/cases/" + number)
	if p := evalJS[string](tb, `document.getElementById("presence").innerText`); p != "admin is writing a reply or a note" {
		tb.errorf("the presence line: %q", p)
	}
	others := func() string {
		_, out := c.do("POST", "/api/v1/cases/"+number+"/presence", map[string]any{"state": "viewing"})
		return marshal(out["others"])
	}
	tb.waitJS("Rami's page pinging", `performance.getEntriesByType("resource").some(e => e.name.endsWith("/presence"))`)
	if o := others(); !strings.Contains(o, `"state":"viewing","user":"rami"`) {
		tb.errorf("the admin sees %s", o)
	}
	tb.do("typing a reply", chromedp.SendKeys(chromedp.ID("reply-text"), "x"))
	tb.waitJS("Rami's page saying he writes", `performance.getEntriesByType("resource").filter(e => e.name.endsWith("/presence")).length >= 2`)
	if o := others(); !strings.Contains(o, `"state":"replying","user":"rami"`) {
		tb.errorf("the admin sees %s once Rami types", o)
	}
	tb.open("/cases/" + number)

	// Closing without an outcome: the outcome is focused with its message; the edit panel stays shut.
	tb.do("choosing closed", chromedp.SetValue(chromedp.ID("s-to"), "closed"))
	if resp := tb.submit(`#status-form button[type=submit]`); resp.Status != 422 {
		tb.fatalf("closing without an outcome: HTTP %d", resp.Status)
	}
	// autofocus runs once the page has settled, which a busy machine can delay past the load.
	tb.waitJS("the focus on the outcome", `document.activeElement && document.activeElement.id === "s-outcome"`)
	if evalJS[bool](tb, `document.querySelector("details.edit").open`) || evalJS[string](tb, `document.getElementById("err-outcome").innerText`) == "" {
		tb.errorf("the edit panel opened, or the outcome's message is missing")
	}

	// A change of priority reads as field, before and after; the filter keeps only changes.
	tb.do("editing", chromedp.Click(chromedp.CSS("details.edit summary")), chromedp.SetValue(chromedp.ID("e-priority"), "P1"))
	tb.submit(`details.edit form button[type=submit]`)
	changes := evalJS[string](tb, `[...document.querySelectorAll("ol.timeline ul.changes")].map(u => u.innerText).join("\n")`)
	if !strings.Contains(changes, "Priority: ") || !strings.Contains(changes, "→") {
		tb.fatalf("the history's changes: %q", changes)
	}
	tb.open("/cases/" + number + "?show=events")
	if n := evalJS[int](tb, `document.querySelectorAll("ol.timeline li.msg-in, ol.timeline li.note").length`); n != 0 {
		tb.errorf("filtered to changes, %d messages or notes remain", n)
	}
	tb.axe("the case page")

	// A reply: recorded only (no relay here), said so, and in view.
	tb.open("/cases/" + number)
	tb.do("writing a reply", chromedp.SendKeys(chromedp.ID("reply-text"), "Nous vous aidons."))
	tb.submit(`#reply button[type=submit]`)
	if loc := tb.location(); !strings.Contains(loc, "flash=sent_no_relay#m") {
		tb.errorf("after the reply: %s", loc)
	}
	last := `document.querySelector("ol.timeline li.msg-out:last-of-type .delivery").innerText`
	if st := evalJS[string](tb, last); !strings.Contains(st, "no mail relay") {
		tb.errorf("the reply's state: %q", st)
	}

	// Someone else notes meanwhile: the reply warns, keeps the text, then goes on confirmation.
	tb.open("/cases/" + number)
	mustPost(c, "/api/v1/cases/"+number+"/notes", map[string]any{"body": "I called her back"})
	tb.do("writing a second reply", chromedp.SendKeys(chromedp.ID("reply-text"), "Second message"))
	if resp := tb.submit(`#reply button[type=submit]`); resp.Status != 409 {
		tb.fatalf("a reply to a changed case: HTTP %d", resp.Status)
	}
	if txt := evalJS[string](tb, `document.getElementById("reply-text").value`); txt != "Second message" {
		tb.errorf("the reply's text after the warning: %q", txt)
	}
	if w := evalJS[string](tb, `document.getElementById("err-reply").innerText`); !strings.Contains(w, "admin") {
		tb.errorf("the warning does not say what changed: %q", w)
	}
	tb.submit(`#reply button[type=submit]`)
	if n := evalJS[int](tb, `[...document.querySelectorAll("ol.timeline li.msg-out .body")].filter(b => b.innerText == "Second message").length`); n != 1 {
		tb.errorf("the confirmed reply is there %d times", n)
	}

	// The case moves to a team Rami is not in: his note is refused beside the form, text kept.
	tb.open("/cases/" + number)
	if st, body := c.do("PATCH", "/api/v1/cases/"+number, map[string]any{"team": "mena"}); st != 200 {
		t.Fatalf("moving the case: %d %v", st, body)
	}
	tb.do("writing a note", chromedp.SendKeys(chromedp.ID("note-body"), "my note"))
	if resp := tb.submit(`#note button[type=submit]`); resp.Status != 403 {
		tb.fatalf("a note on a case Rami may no longer change: HTTP %d", resp.Status)
	}
	if txt := evalJS[string](tb, `document.getElementById("note-body").value`); txt != "my note" {
		tb.errorf("the refused note's text: %q", txt)
	}
	if e := evalJS[string](tb, `document.getElementById("err-note").innerText`); !strings.Contains(e, "cannot change case") {
		tb.errorf("the refusal: %q", e)
	}
	tb.switchLanguage("ar")
	tb.open("/cases/" + number)
	if !evalJS[bool](tb, `!document.getElementById("reply") && !!document.getElementById("read-only")`) {
		tb.errorf("Rami may not reply any more, yet the composer shows (or no read-only notice)")
	}
	changes = evalJS[string](tb, `[...document.querySelectorAll("ol.timeline ul.changes")].map(u => u.innerText).join("\n")`)
	if !strings.Contains(changes, "الأولوية") || !strings.Contains(changes, "الفريق") {
		tb.errorf("the changes in Arabic: %q", changes)
	}
	tb.axe("the case page, read-only (ar)")

	// An auditor reads without forms.
	sam := newTab(t, c.base)
	sam.open("/login")
	sam.signIn("sam", "a long auditor password")
	sam.open("/cases/" + number)
	if n := evalJS[int](sam, `document.querySelectorAll("#reply, #note, #status-form, details.edit, #assign-me, form[action$='/tasks']").length`); n != 0 {
		sam.errorf("the auditor is offered %d forms", n)
	}
	sam.axe("the case page for an auditor")

	// The audit page: the case's trail, filtered, with an export of the same filter.
	sam.open("/audit?case=" + number + "&action=case.")
	rows := evalJS[string](sam, `document.querySelector("#audit tbody").innerText`)
	if !strings.Contains(rows, "case.updated") || !strings.Contains(rows, "rami") || strings.Contains(rows, "message.added") {
		sam.fatalf("the filtered audit trail: %q", rows)
	}
	if href := evalJS[string](sam, `document.querySelector("#audit-filter a[download]").getAttribute("href")`); !strings.Contains(href, "/audit/export?") || !strings.Contains(href, "case="+number) {
		sam.errorf("the export link: %q", href)
	}
	if resp := sam.open("/audit?since=yesterday"); resp.Status != 422 || evalJS[string](sam, `document.getElementById("err-since").innerText`) == "" {
		sam.errorf("a date that cannot be read: HTTP %d", resp.Status)
	}
	sam.axe("the audit page")
	sam.switchLanguage("ar")
	sam.open("/audit")
	sam.axe("the audit page (ar)")
	if resp := tb.open("/audit"); resp.Status != 403 {
		tb.errorf("a handler opens the audit page: HTTP %d", resp.Status)
	}
}

// TestBrowserWrongCode: a wrong second-factor code says it is the code that was wrong and keeps
// the sign-in on the code step, in English and Arabic; the right code then signs in.
func TestBrowserWrongCode(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	u, err := c.app.svc.CreateUserAsSystem(c.env.ctx, haven.UserCreate{Username: "rami", Role: haven.RoleHandler, Password: "a long handler password"}, false)
	if err != nil {
		t.Fatal(err)
	}
	rami := haven.WithActor(context.Background(), haven.Actor{User: u})
	enr, err := c.app.svc.BeginTOTP(rami, "a long handler password")
	if err != nil {
		t.Fatal(err)
	}
	first, err := totp.GenerateCode(enr.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.app.svc.ConfirmTOTP(rami, first, "a long handler password"); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, c.base)
	for _, lang := range []string{"en", "ar"} {
		tb.open("/login")
		if lang == "ar" {
			tb.switchLanguage("ar")
		}
		tb.do("the password step", chromedp.SendKeys(chromedp.ID("username"), "rami"),
			chromedp.SendKeys(chromedp.ID("password"), "a long handler password"))
		tb.submit(`form[action="/login"] button[type=submit]`)
		tb.do("a wrong code", chromedp.SendKeys(chromedp.ID("code"), "000000"))
		if resp := tb.submit(`form[action="/login/code"] button[type=submit]`); resp.Status != 401 {
			tb.fatalf("a wrong code: HTTP %d", resp.Status)
		}
		msg := evalJS[string](tb, `document.getElementById("err-code") ? document.getElementById("err-code").innerText : ""`)
		want := map[string]string{"en": "That code was wrong", "ar": "هذا الرمز خاطئ"}[lang]
		if !strings.Contains(msg, want) || !evalJS[bool](tb, `!!document.getElementById("code") && !document.getElementById("password")`) {
			tb.fatalf("%s: after a wrong code, %q (still on the code step?)", lang, msg)
		}
		tb.axe("the code step after a wrong code (" + lang + ")")
		if lang == "ar" {
			break
		}
		// The right code (a later one: a code is good once) signs in from the same page.
		time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(30 * time.Second)))
		code, _ := totp.GenerateCode(enr.Secret, time.Now())
		tb.do("the right code", chromedp.SendKeys(chromedp.ID("code"), code))
		tb.submit(`form[action="/login/code"] button[type=submit]`)
		if loc := tb.location(); strings.HasPrefix(loc, "/login") {
			tb.fatalf("the right code after a wrong one: still at %s", loc)
		}
		tb.submit(`form[action="/logout"] button[type=submit]`)
	}
}
