package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Real-browser tests of the web interface. Each test starts a real Haven (startAPI: the real
// service on a fresh SQLite database, over loopback HTTP), seeds it through the API, and drives
// its own headless Chromium (testenv.Chromium: a missing browser fails, never skips).
//
//	TestBrowserWorkflow       sign-in, inbox, a case (note, reply, status, close), search in
//	                          Latin and Arabic script, the Arabic interface, keyboard shortcuts
//	TestBrowserAccessibility  axe-core on the sign-in page, inbox, a case (also with a field
//	                          error), search results and the shortcuts dialog, in English and
//	                          Arabic, light and dark; with HAVEN_SCREENSHOTS=1 it also writes
//	                          docs/screenshots/{login,inbox,case,search}-{en,ar}.png (the case
//	                          page's first screen, 1280×900; the others whole)
//	TestBrowserXSS            classic payloads in titles, names, notes and queries stay text
//	TestBrowserPageWeight     bytes on the wire of the inbox, a long case and a search

// timelineEntry is one entry of the case page's timeline as the test reads it.
type timelineEntry struct {
	Class string `json:"class"`
	Meta  string `json:"meta"`
	Badge string `json:"badge"`
	Body  string `json:"body"`
}

func (tb *tab) timeline() []timelineEntry {
	tb.t.Helper()
	return evalJS[[]timelineEntry](tb, `[...document.querySelectorAll(".timeline > li")].map(li => ({
		class: li.className,
		meta: (li.querySelector(".meta") || li).textContent.replace(/\s+/g, " ").trim(),
		badge: (li.querySelector(".badge-note") || {textContent: ""}).textContent.trim(),
		body: (li.querySelector(".body") || {textContent: ""}).textContent}))`)
}

// searchResult is one result of the search page.
type searchResult struct {
	Number string   `json:"number"`
	Marks  []string `json:"marks"`
}

func (tb *tab) search(query string) []searchResult {
	tb.t.Helper()
	tb.open("/search")
	tb.do("typing the query "+query, chromedp.SendKeys(chromedp.ID("q"), query))
	if got := evalJS[string](tb, `document.getElementById("q").value`); got != query {
		tb.fatalf("typed %q in the search box, it holds %q", query, got)
	}
	if resp := tb.submit(`form[role=search] button[type=submit]`); resp.Status != 200 {
		tb.fatalf("search %q: HTTP %d", query, resp.Status)
	}
	return evalJS[[]searchResult](tb, `[...document.querySelectorAll("ol.results > li")].map(li => ({
		number: li.querySelector("a").textContent.trim(),
		marks: [...li.querySelectorAll("mark")].map(m => m.textContent)}))`)
}

func findResult(rs []searchResult, number string) (searchResult, bool) {
	for _, r := range rs {
		if r.Number == number {
			return r, true
		}
	}
	return searchResult{}, false
}

func hasClass(classes, c string) bool { return slices.Contains(strings.Fields(classes), c) }

func TestBrowserWorkflow(t *testing.T) {
	start := time.Now()
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	fr := mustCreateCase(c, map[string]any{"title": "Compte Facebook piraté", "priority": "P2", "language": "fr", "assignee": "admin",
		"summary":    "Le mot de passe et l'adresse de récupération ont été changés.",
		"categories": []string{"account-compromise"}, "requester": map[string]any{"name": "Camille", "email": "camille@example.org"}})
	ar := mustCreateCase(c, map[string]any{"title": "حسابي على فيسبوك مخترق", "priority": "P3", "language": "ar", "assignee": "admin",
		"summary": "تم تغيير كلمة المرور والبريد", "requester": map[string]any{"name": "نور", "email": "nour@example.org"}})
	p1 := mustCreateCase(c, map[string]any{"title": "Threats after a home address was posted online", "priority": "P1", "language": "en",
		"assignee": "admin", "categories": []string{"doxxing", "threats"}, "requester": map[string]any{"name": "Dana", "email": "dana@example.org"}})
	p4 := mustCreateCase(c, map[string]any{"title": "Stalkerware suspected on a shared phone", "priority": "P4", "language": "en",
		"assignee": "admin", "requester": map[string]any{"name": "Sam"}})
	tb := newTab(t, c.base)

	// 1. Signed out, the inbox leads to the sign-in page; signed in, it lists the cases, the
	// P1 first and marked.
	tb.open("/inbox")
	if loc := tb.location(); !strings.HasPrefix(loc, "/login?next=") {
		tb.fatalf("signed out, /inbox should lead to the sign-in page, not %s", loc)
	}
	tb.signIn("admin", adminPassword)
	if loc := tb.location(); loc != "/inbox" {
		tb.fatalf("after signing in the browser is on %s, want /inbox", loc)
	}
	rows := tb.caseRows()
	var numbers []string
	for _, r := range rows {
		numbers = append(numbers, r.Number)
	}
	for _, n := range []string{fr, ar, p1, p4} {
		if !slices.Contains(numbers, n) {
			tb.fatalf("the inbox lists %v, missing %s", numbers, n)
		}
	}
	if rows[0].Number != p1 || !hasClass(rows[0].Class, "p1") {
		tb.fatalf("the P1 case %s should be the first row, with class p1: %+v", p1, rows)
	}
	for _, r := range rows[1:] {
		if hasClass(r.Class, "p1") {
			tb.fatalf("row %s is marked p1 but is not P1", r.Number)
		}
	}
	type look struct {
		Background string `json:"bg"`
		Marker     string `json:"marker"`
		Weight     string `json:"weight"`
	}
	tb.do("moving the mouse off the table", chromedp.MouseEvent(chromedp.MouseMoved, 1, 1))
	looks := evalJS[[]look](tb, `[...document.querySelectorAll("table.cases tbody tr[data-href]")].map(r => ({
		bg: getComputedStyle(r).backgroundColor,
		marker: getComputedStyle(r.cells[0]).borderInlineStartColor + " " + getComputedStyle(r.cells[0]).borderInlineStartWidth,
		weight: getComputedStyle(r.cells[2]).fontWeight}))`)
	if looks[0].Background == looks[1].Background || looks[0].Marker == looks[1].Marker {
		tb.fatalf("the P1 row looks like the others: P1 %+v, next %+v", looks[0], looks[1])
	}

	// 2. A case, opened from the inbox: an internal note, a reply, a status change, and closing
	// without then with an outcome.
	tb.submit(`table.cases a[href="/cases/` + fr + `"]`)
	if loc := tb.location(); loc != "/cases/"+fr {
		tb.fatalf("clicking %s in the inbox led to %s", fr, loc)
	}
	if h1 := evalJS[string](tb, `document.querySelector("h1").textContent`); !strings.Contains(h1, "Compte Facebook piraté") {
		tb.fatalf("case page heading %q", h1)
	}
	note := "Rappelée sur Signal : double authentification à réactiver."
	tb.do("typing a note", chromedp.SendKeys(chromedp.ID("note-body"), note))
	tb.submit(`#note button[type=submit]`)
	found := false
	for _, e := range tb.timeline() {
		if strings.Contains(e.Body, note) {
			found = true
			if !hasClass(e.Class, "note") || e.Badge != "Internal" {
				tb.fatalf("the note is in the timeline but not marked internal: %+v", e)
			}
		}
	}
	if !found {
		tb.fatalf("the note %q is not in the timeline: %+v", note, tb.timeline())
	}
	reply := "Bonjour Camille, nous vous rappelons à 15 h."
	tb.do("typing a reply", chromedp.SendKeys(chromedp.ID("reply-text"), reply))
	tb.submit(`#reply button[type=submit]`)
	found = false
	for _, e := range tb.timeline() {
		if strings.Contains(e.Body, reply) {
			found = true
			if !hasClass(e.Class, "msg-out") || !strings.HasPrefix(e.Meta, "Sent") {
				tb.fatalf("the reply is in the timeline but not as outbound: %+v", e)
			}
		}
	}
	if !found {
		tb.fatalf("the reply %q is not in the timeline", reply)
	}
	statusIs := func(s string) bool {
		return evalJS[bool](tb, `!!document.querySelector(".case-header dd .badge.status-`+s+`")`)
	}
	tb.do("choosing open", chromedp.SetValue(chromedp.ID("s-to"), "open"))
	tb.submit(`#status-form button[type=submit]`)
	if !statusIs("open") {
		tb.fatalf("after changing the status to open the case is not open")
	}
	tb.do("choosing closed, no outcome", chromedp.SetValue(chromedp.ID("s-to"), "closed"), chromedp.SetValue(chromedp.ID("s-outcome"), ""))
	if resp := tb.submit(`#status-form button[type=submit]`); resp.Status != 422 {
		tb.fatalf("closing without an outcome: HTTP %d, want 422", resp.Status)
	}
	type fieldError struct {
		Text        string `json:"text"`
		Next        bool   `json:"next"`
		DescribedBy string `json:"describedby"`
		Invalid     string `json:"invalid"`
		To          string `json:"to"`
		Beside      bool   `json:"beside"`
	}
	fe := evalJS[fieldError](tb, `(() => {
		const sel = document.getElementById("s-outcome"), err = document.getElementById("err-outcome");
		if (!sel || !err) return {};
		const s = sel.getBoundingClientRect(), e = err.getBoundingClientRect();
		const sameLine = e.top < s.bottom && e.bottom > s.top && Math.min(Math.abs(e.left - s.right), Math.abs(s.left - e.right)) < 60;
		const below = e.top >= s.bottom && e.top - s.bottom < 40 && e.left < s.right && e.right > s.left;
		return {text: err.textContent.trim(), next: sel.nextElementSibling === err,
			describedby: sel.getAttribute("aria-describedby") || "", invalid: sel.getAttribute("aria-invalid") || "",
			to: document.getElementById("s-to").value, beside: e.width > 0 && e.height > 0 && (sameLine || below)};
	})()`)
	if fe.Text != "Closing a case needs an outcome." || !fe.Next || !fe.Beside || fe.DescribedBy != "err-outcome" || fe.Invalid != "true" {
		tb.fatalf("the missing outcome should be reported beside the outcome field: %+v", fe)
	}
	if fe.To != "closed" || !statusIs("open") {
		tb.fatalf("the refused form should keep the chosen status (got %q) and the case stay open", fe.To)
	}
	tb.do("choosing an outcome", chromedp.SetValue(chromedp.ID("s-outcome"), "resolved"))
	if resp := tb.submit(`#status-form button[type=submit]`); resp.Status != 200 || !statusIs("closed") {
		tb.fatalf("closing with an outcome: HTTP %d", resp.Status)
	}
	if dd := evalJS[string](tb, `document.querySelector(".case-header dd").textContent`); !strings.Contains(dd, "Resolved") {
		tb.fatalf("the closed case does not show its outcome: %q", dd)
	}

	// 3. Search, Latin and Arabic script: accents, the article ال and tashkeel do not matter,
	// and the matched words are marked.
	for _, q := range []struct {
		query, want, mark, notWant string
	}{
		{"pirate", fr, "piraté", ar},
		{"فيسبوك", ar, "فيسبوك", fr},
		{"الفِيسبوك", ar, "فيسبوك", fr},
	} {
		rs := tb.search(q.query)
		r, ok := findResult(rs, q.want)
		if !ok {
			tb.fatalf("searching %q should find %s, found %+v", q.query, q.want, rs)
		}
		if !slices.Contains(r.Marks, q.mark) {
			tb.fatalf("searching %q: %s should have %q in <mark>, has %q", q.query, q.want, q.mark, r.Marks)
		}
		if _, ok := findResult(rs, q.notWant); ok {
			tb.fatalf("searching %q should not find %s", q.query, q.notWant)
		}
	}

	// 4. Keyboard: ? opens the shortcuts; j walks the inbox; Enter opens the row; on a case n
	// and r go to the note and the reply.
	tb.open("/inbox")
	tb.press("?")
	tb.waitJS("the shortcuts dialog", `document.getElementById("keys").open`)
	tb.do("pressing Escape", chromedp.KeyEvent(kb.Escape))
	tb.waitJS("the shortcuts dialog to close", `!document.getElementById("keys").open`)
	tb.press("j")
	tb.waitJS("j to focus the first row", `document.activeElement === document.querySelector("table.cases tbody tr[data-href]")`)
	tb.do("pressing j again", chromedp.KeyEvent("j"))
	tb.waitJS("j to focus the second row", `document.activeElement === document.querySelectorAll("table.cases tbody tr[data-href]")[1]`)
	second := evalJS[string](tb, `document.activeElement.getAttribute("data-href")`)
	tb.navigateBy("pressing Enter on a row", chromedp.KeyEvent(keyEnter))
	if loc := tb.location(); loc != second {
		tb.fatalf("Enter on the row of %s led to %s", second, loc)
	}
	tb.press("n")
	tb.waitJS("n to focus the note", `document.activeElement.id === "note-body"`)
	tb.press("r")
	tb.waitJS("r to focus the reply", `document.activeElement.id === "reply-text"`)

	// 5. Arabic, chosen with the picker: right to left, and the inbox still works.
	tb.open("/inbox")
	tb.switchLanguage("ar")
	type direction struct {
		Dir, Lang, Body, Marker string
		Untranslated            bool
	}
	d := evalJS[direction](tb, `({Dir: document.documentElement.dir, Lang: document.documentElement.lang,
		Body: getComputedStyle(document.body).direction,
		Marker: getComputedStyle(document.querySelector("table.cases tbody tr.p1 td")).borderRightWidth,
		Untranslated: document.body.innerText.includes("[[")})`)
	if d.Dir != "rtl" || d.Lang != "ar" || d.Body != "rtl" || d.Untranslated {
		tb.fatalf("the Arabic inbox: %+v", d)
	}
	if d.Marker != "4px" {
		tb.fatalf("right to left, the P1 marker should be on the right of the row (border-right 4px), got %q", d.Marker)
	}
	if rows := tb.caseRows(); len(rows) != 3 || rows[0].Number != p1 {
		tb.fatalf("the Arabic inbox lists %+v, want the 3 open cases, %s first", rows, p1)
	}
	tb.press("j")
	tb.waitJS("j to focus the first row", `document.activeElement === document.querySelector("table.cases tbody tr[data-href]")`)
	tb.navigateBy("pressing Enter on a row", chromedp.KeyEvent(keyEnter))
	if loc, dir := tb.location(), evalJS[string](tb, `document.documentElement.dir`); loc != "/cases/"+p1 || dir != "rtl" {
		tb.fatalf("in Arabic, Enter on the first row led to %s (dir %s)", loc, dir)
	}
	tb.switchLanguage("en")
	tb.noDialogsNorExceptions()
	t.Logf("browser workflow took %v", time.Since(start).Round(time.Millisecond))
}

// seedHelpline creates a small, realistic helpline: ten cases in six languages, one of them with a
// conversation, notes and tasks. It returns that case's number.
func seedHelpline(c *apiClient) string {
	c.t.Helper()
	type demo struct {
		title, lang, priority, name, email string
		cats                               []string
		status                             string
	}
	var main string
	for i, d := range []demo{
		{"Instagram account taken over after a phishing SMS", "en", "P2", "Leila Haddad", "leila@example.org", []string{"account-compromise", "phishing"}, "open"},
		{"Threats after a home address was posted online", "en", "P1", "Dana R.", "dana@example.org", []string{"doxxing", "threats"}, "triage"},
		{"Compte Facebook piraté", "fr", "P3", "Camille", "camille@example.org", []string{"account-compromise"}, ""},
		{"حسابي على فيسبوك مخترق", "ar", "P2", "نور", "nour@example.org", []string{"account-compromise"}, "open"},
		{"تهديدات عبر واتساب لناشطة", "ar", "P3", "سلمى", "salma@example.org", []string{"harassment", "threats"}, ""},
		{"Stalkerware suspected on a shared Android phone", "en", "P2", "Ana", "", []string{"spyware"}, "open"},
		{"Cuenta de Facebook robada", "es", "P3", "Lucía", "lucia@example.org", []string{"account-compromise"}, ""},
		{"Взлом почты правозащитника", "ru", "P3", "Олег", "oleg@example.org", []string{"account-compromise"}, "triage"},
		{"Fake Facebook profile impersonating a lawyer", "en", "P4", "Maître Diallo", "diallo@example.org", []string{"impersonation"}, ""},
		{"Site web défiguré après une mise à jour", "fr", "P3", "Radio Lumière", "contact@example.org", []string{"website-attack"}, "open"},
	} {
		req := map[string]any{"name": d.name}
		if d.email != "" {
			req["email"] = d.email
		}
		n := mustCreateCase(c, map[string]any{"title": d.title, "language": d.lang, "priority": d.priority, "assignee": "admin",
			"categories": d.cats, "tlp": "amber", "requester": req})
		if d.status != "" {
			mustPost(c, "/api/v1/cases/"+n+"/transitions", map[string]any{"to": d.status})
		}
		if i == 0 {
			main = n
		}
	}
	p := "/api/v1/cases/" + main
	mustPost(c, p+"/messages", map[string]any{"direction": "in", "from": "leila@example.org", "subject": "Instagram hacked",
		"text": "Hi, I got an SMS saying my Instagram would be deleted. I clicked the link and typed my password. " +
			"Now I cannot log in, the email on the account was changed, and my followers get messages asking for money."})
	mustPost(c, p+"/notes", map[string]any{"body": "Recovery email changed to an unknown address. Identity verified on a Signal call; " +
		"escalating through the partner channel."})
	mustPost(c, p+"/messages", map[string]any{"direction": "out", "to": []string{"leila@example.org"}, "subject": "Re: Instagram hacked",
		"text": "Hello Leila, thank you for writing to us. Please do not answer the messages sent from your account. " +
			"Could you send a screenshot of the SMS, and tell us when you last logged in? We are asking Instagram to restore your access."})
	mustPost(c, p+"/messages", map[string]any{"direction": "in", "from": "leila@example.org", "subject": "Re: Instagram hacked",
		"text": "Thanks. Screenshot attached. The last time I logged in was Monday evening."})
	mustPost(c, p+"/tasks", map[string]any{"title": "Escalate to Instagram through the partner channel"})
	mustPost(c, p+"/tasks", map[string]any{"title": "Set up two-step verification with an authenticator app"})
	return main
}

func TestBrowserAccessibility(t *testing.T) {
	start := time.Now()
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	main := seedHelpline(c)
	tb := newTab(t, c.base)

	tb.open("/login")
	tb.axe("the sign-in page (en)")
	tb.screenshot("login-en")
	tb.signIn("admin", adminPassword)

	// The check itself: axe must see a violation planted in the page, or a broken injection
	// would pass every page.
	tb.open("/inbox")
	evalJS[chromedp.Void](tb, `document.querySelector("main").insertAdjacentHTML("beforeend", '<img src="data:,">')`)
	planted := false
	for _, v := range tb.axeViolations() {
		planted = planted || v.ID == "image-alt"
	}
	if !planted {
		tb.fatalf("axe did not report an image without alt text: the accessibility check does not work")
	}

	queries := map[string]string{"en": "facebook", "ar": "فيسبوك"}
	pages := func(lang, scheme string, shots bool) {
		t.Helper()
		label := func(page string) string { return fmt.Sprintf("%s (%s, %s)", page, lang, scheme) }
		shot := func(name string) {
			if shots {
				tb.screenshot(name + "-" + lang)
			}
		}
		// The case page is long (request, timeline, forms): its first screen is what the README shows.
		firstScreen := func(name string) {
			if shots {
				tb.screenshotFirstScreen(name + "-" + lang)
			}
		}
		tb.open("/inbox")
		if got := evalJS[string](tb, `document.documentElement.lang`); got != lang {
			tb.fatalf("the inbox is in %q, want %q", got, lang)
		}
		tb.axe(label("the inbox"))
		shot("inbox")
		if shots {
			tb.press("?")
			tb.waitJS("the shortcuts dialog", `document.getElementById("keys").open`)
			tb.axe(label("the shortcuts dialog"))
			tb.do("pressing Escape", chromedp.KeyEvent(kb.Escape))
		}
		tb.open("/cases/" + main)
		tb.axe(label("a case"))
		firstScreen("case")
		// The same page showing a refused form: the alert and the error beside its field.
		tb.do("choosing closed, no outcome", chromedp.SetValue(chromedp.ID("s-to"), "closed"))
		if resp := tb.submit(`#status-form button[type=submit]`); resp.Status != 422 {
			tb.fatalf("closing without an outcome: HTTP %d", resp.Status)
		}
		tb.axe(label("a case with a field error"))
		tb.open("/search?q=" + url.QueryEscape(queries[lang]))
		if n := evalJS[int](tb, `document.querySelectorAll("ol.results mark").length`); n == 0 {
			tb.fatalf("the search for %q marks no words", queries[lang])
		}
		tb.axe(label("search results"))
		shot("search")
		for _, page := range []string{"/account", "/requesters", "/admin", "/admin/taxonomy", "/templates", "/templates/new",
			"/playbooks", "/playbooks/new", "/kb", "/kb/new", "/audit", "/dashboard"} {
			tb.open(page)
			tb.axe(label(page))
		}
	}
	pages("en", "light", true)
	tb.switchLanguage("ar")
	pages("ar", "light", true)
	// haven.css has a dark palette (prefers-color-scheme): its contrast is checked too.
	colorScheme := func(scheme string) {
		tb.do("emulating "+scheme, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			return err
		}))
	}
	colorScheme("dark")
	pages("ar", "dark", false)
	colorScheme("light")

	// Signing out in Arabic leads to the Arabic sign-in page.
	tb.submit(`form[action="/logout"] button[type=submit]`)
	if loc, lang := tb.location(), evalJS[string](tb, `document.documentElement.lang`); !strings.HasPrefix(loc, "/login") || lang != "ar" {
		tb.fatalf("after signing out: %s in %q", loc, lang)
	}
	tb.axe("the sign-in page (ar)")
	tb.screenshot("login-ar")
	tb.noDialogsNorExceptions()
	t.Logf("accessibility checks took %v", time.Since(start).Round(time.Millisecond))
}

// The classic payloads; each one sets window.__xss if it ever runs.
var xssPayloads = []string{
	`<script>window.__xss=1</script>`,
	`<img src=x onerror="window.__xss=1">`,
	`<svg onload="window.__xss=1">`,
	`"><svg/onload=window.__xss=1>`,
	`javascript:window.__xss=1`,
}

func TestBrowserXSS(t *testing.T) {
	start := time.Now()
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	p := xssPayloads
	a := mustCreateCase(c, map[string]any{"title": "zqxss " + p[0] + " " + p[1], "summary": "zqxss " + p[2] + " " + p[3],
		"priority": "P1", "assignee": "admin", "tags": []string{"zqxss"},
		"requester": map[string]any{"name": p[3], "email": "requester@example.org"}})
	b := mustCreateCase(c, map[string]any{"title": "zqxss " + p[2] + " " + p[3], "summary": p[0] + " zqxss " + p[4],
		"priority": "P2", "assignee": "admin", "requester": map[string]any{"name": p[1] + p[0]}})
	d := mustCreateCase(c, map[string]any{"title": p[4] + " zqxss", "priority": "P3", "assignee": "admin",
		"requester": map[string]any{"name": p[2]}})
	for _, payload := range p {
		mustPost(c, "/api/v1/cases/"+a+"/notes", map[string]any{"body": payload})
	}
	mustPost(c, "/api/v1/cases/"+a+"/notes", map[string]any{"body": "see " + p[4] + " and <a href=\"" + p[4] + "\">this link</a>"})
	mustPost(c, "/api/v1/cases/"+a+"/messages", map[string]any{"direction": "in", "from": p[3] + "@example.org",
		"subject": p[3], "text": p[1] + "\n" + p[4]})
	mustPost(c, "/api/v1/cases/"+a+"/tasks", map[string]any{"title": p[1]})

	tb := newTab(t, c.base)
	// Without the Content-Security-Policy, escaping alone must hold: the CSP is a second wall,
	// not the one under test. Every page must still send it.
	tb.do("bypassing the CSP", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	}))
	check := func(label string, resp *network.Response, mustShow string) {
		t.Helper()
		if csp := header(resp, "Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			tb.errorf("%s: no Content-Security-Policy with script-src 'self' (%v)", label, resp.Headers)
		}
		bad := evalJS[[]string](tb, `(() => {
			const bad = [];
			if (window.__xss !== undefined) bad.push("window.__xss is " + window.__xss);
			for (const el of document.querySelectorAll("*")) {
				for (const a of el.attributes) {
					if (a.name.startsWith("on")) bad.push(el.tagName + " has the handler " + a.name + "=" + a.value);
					if (["href", "src", "action", "formaction", "xlink:href"].includes(a.name) && /^\s*javascript:/i.test(a.value))
						bad.push(el.tagName + " has " + a.name + "=" + a.value);
				}
			}
			for (const s of document.scripts) if (!["/static/haven.js", "/static/presence.js"].includes(s.getAttribute("src"))) bad.push("a script: " + s.outerHTML.slice(0, 120));
			for (const el of document.querySelectorAll("svg, img, iframe, object, embed")) bad.push("an injected element: " + el.outerHTML.slice(0, 120));
			return bad;
		})()`)
		if len(bad) > 0 {
			tb.errorf("%s: %s", label, strings.Join(bad, "; "))
		}
		if mustShow != "" && !evalJS[bool](tb, `document.body.textContent.includes(`+jsString(mustShow)+`)`) {
			tb.errorf("%s: the payload %s should be shown as text", label, mustShow)
		}
	}

	// The sign-in page echoes "next" into the form.
	check("the sign-in page with a hostile next", tb.open("/login?next="+url.QueryEscape("/inbox"+p[3])), "")
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	check("the inbox", tb.open("/inbox"), p[0])
	check("case "+a, tb.open("/cases/"+a), p[1])
	check("case "+b, tb.open("/cases/"+b), p[3])
	check("case "+d, tb.open("/cases/"+d), p[4])
	// A refused reply re-renders the form with what was typed.
	tb.open("/cases/" + a)
	tb.do("typing a hostile subject", chromedp.SetValue(chromedp.ID("reply-subject"), p[3]+p[1]))
	resp := tb.submit(`#reply button[type=submit]`)
	if resp.Status != 422 {
		tb.fatalf("an empty reply: HTTP %d, want 422", resp.Status)
	}
	if got := evalJS[string](tb, `document.getElementById("reply-subject").value`); got != p[3]+p[1] {
		tb.errorf("the re-rendered reply form should keep the subject as typed, has %q", got)
	}
	check("the refused reply", resp, "")
	// Search highlights words inside the payloads and echoes the query.
	rs := tb.search("zqxss")
	for _, n := range []string{a, b, d} {
		if _, ok := findResult(rs, n); !ok {
			tb.fatalf("searching zqxss should find %s, found %+v", n, rs)
		}
	}
	check("search results for zqxss", tb.open("/search?q=zqxss"), p[0])
	check("search results for a hostile query", tb.open("/search?q="+url.QueryEscape(p[3]+" onerror script svg")), "")
	if n := evalJS[int](tb, `document.querySelectorAll("ol.results mark").length`); n == 0 {
		tb.errorf("the hostile query should still find and mark words of the payloads")
	}
	tb.noDialogsNorExceptions()
	t.Logf("XSS checks took %v", time.Since(start).Round(time.Millisecond))
}

// header is a response header, whatever the case of its name.
func header(resp *network.Response, name string) string {
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// jsString quotes s as a JavaScript string literal (JSON's strings are JavaScript's).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// maxPageWeight is the most one page may cost on the network, everything included.
const maxPageWeight = 100 << 10

func TestBrowserPageWeight(t *testing.T) {
	start := time.Now()
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	titles := []string{"Compte Facebook piraté", "حسابي على فيسبوك مخترق", "Instagram account taken over after a phishing SMS",
		"Stalkerware suspected on a shared Android phone", "تهديدات عبر واتساب لناشطة", "Cuenta de Facebook robada",
		"Fake profile impersonating a lawyer", "Взлом почты правозащитника", "Sextortion email quoting an old password",
		"Site web défiguré après une mise à jour"}
	cats := [][]string{{"account-compromise"}, {"account-compromise"}, {"phishing"}, {"spyware"}, {"harassment"},
		{"account-compromise"}, {"impersonation"}, {"account-compromise"}, {"harassment"}, {"website-attack"}}
	var long string
	for i := 0; i < 50; i++ {
		pr := []string{"P2", "P3", "P3", "P4", "P2"}[i%5]
		if i%17 == 0 {
			pr = "P1"
		}
		n := mustCreateCase(c, map[string]any{"title": fmt.Sprintf("%s (%d)", titles[i%len(titles)], i+1), "priority": pr,
			"assignee": "admin", "categories": cats[i%len(cats)], "language": []string{"fr", "ar", "en", "en", "ar", "es", "en", "ru", "en", "fr"}[i%10],
			"summary":   "A requester on the helpline; details in the timeline.",
			"requester": map[string]any{"name": fmt.Sprintf("Requester %d", i+1), "email": fmt.Sprintf("r%d@example.org", i+1)}})
		if i == 2 {
			long = n
		}
	}
	// A long case: 40 messages both ways, 30 notes, and its status changes.
	p := "/api/v1/cases/" + long
	text := "Hello, this is an update on the account. We checked the recovery options, the sessions that were still open " +
		"and the applications connected to the account. Two unknown devices were signed in; we asked you to remove them. " +
		"Please confirm once you have changed the password and turned on two-step verification, then we will close the case."
	for i := 0; i < 40; i++ {
		dir := []string{"in", "out"}[i%2]
		mustPost(c, p+"/messages", map[string]any{"direction": dir, "from": "r3@example.org", "to": []string{"r3@example.org"},
			"subject": fmt.Sprintf("Re: Instagram account (%d)", i+1), "text": text})
		if i < 30 {
			mustPost(c, p+"/notes", map[string]any{"body": fmt.Sprintf("Note %d: called back on Signal, the requester confirmed the steps so far.", i+1)})
		}
	}
	for _, s := range []string{"open", "waiting-requester", "open", "waiting-third-party", "open"} {
		mustPost(c, p+"/transitions", map[string]any{"to": s})
	}
	t.Logf("seeding took %v", time.Since(start).Round(time.Millisecond))

	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	for _, pg := range []struct {
		name, path, count string
		min               int
	}{
		{"inbox with 50 cases", "/inbox", `document.querySelectorAll("table.cases tbody tr[data-href]").length`, 50},
		{"case with a long timeline", "/cases/" + long, `document.querySelectorAll(".timeline > li").length`, 75},
		{"search results", "/search?q=helpline", `document.querySelectorAll("ol.results > li").length`, 50},
	} {
		w := tb.measure(pg.path)
		n := evalJS[int](tb, pg.count)
		t.Logf("page weight, %s (%d items): %s", pg.name, n, w)
		if n < pg.min {
			tb.errorf("%s shows %d items, want at least %d: not the page meant to be weighed", pg.name, n, pg.min)
		}
		if w.total >= maxPageWeight {
			t.Errorf("%s weighs %.1f KB, over %d KB: %s", pg.name, w.total/1024, maxPageWeight>>10, w)
		}
	}
	tb.noDialogsNorExceptions()
	t.Logf("page weight checks took %v", time.Since(start).Round(time.Millisecond))
}
