package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-helpline/haven/i18n"
)

// The inbox as a handler lives in it (issue 16): bulk actions that tell the truth, a whole row
// that opens its case, sorting headers, paging both ways, a notice of new cases that keeps the
// selection, and cards on a phone.

func inboxCatalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// assigneeOf reads a case's assignee and status through the API.
func caseField(c *apiClient, number, field string) string {
	c.t.Helper()
	st, cs := c.do("GET", "/api/v1/cases/"+number, nil)
	if st != 200 {
		c.t.Fatalf("GET %s: %d %v", number, st, cs)
	}
	s, _ := cs[field].(string)
	return s
}

// tick ticks the checkboxes of the given cases on the inbox page.
func (tb *tab) tick(numbers ...string) {
	tb.t.Helper()
	for _, n := range numbers {
		tb.do("ticking "+n, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#cases input[name=case][value=%q]`, n))))
	}
}

// TestBrowserInboxBulk: with nothing ticked, a bulk action changes nothing and says so; "select
// all" ticks the page; the assignee is picked from the list of people; a partial failure names
// the case that was not changed, and why, while the others are changed.
func TestBrowserInboxBulk(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	en := inboxCatalog(t).Localizer("en")
	mustPost(c, "/api/v1/users", map[string]any{"username": "bea", "role": "handler", "password": "a long handler password"})
	a := mustCreateCase(c, map[string]any{"title": "Stalkerware on a phone", "priority": "P3"})
	b := mustCreateCase(c, map[string]any{"title": "Doxxing thread", "priority": "P3"})
	open := mustCreateCase(c, map[string]any{"title": "Fake profile", "priority": "P3"})
	mustPost(c, "/api/v1/cases/"+open+"/transitions", map[string]any{"to": "open"})
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.open("/inbox?queue=open&sort=created")

	// Nothing ticked: nothing happens, and the page says why.
	tb.do("choosing bea", chromedp.SendKeys(chromedp.ID("b-assignee"), "bea"))
	tb.submit(`#bulk button[type=submit]`)
	if alert := evalJS[string](tb, `(document.querySelector(".flash.error") || {}).textContent || ""`); alert != en.T("inbox.bulk_none") {
		tb.fatalf("with nothing ticked the page says %q", alert)
	}
	for _, n := range []string{a, b, open} {
		if got := caseField(c, n, "assignee"); got != "" {
			tb.fatalf("%s was assigned to %q with nothing ticked", n, got)
		}
	}
	tb.axe("inbox after a bulk action with nothing ticked")

	// Select all ticks every case of the page; unticking one makes it "some".
	tb.do("select all", chromedp.Click(chromedp.ID("all")))
	if n := evalJS[int](tb, `document.querySelectorAll("#cases input[name=case]:not(:checked)").length`); n != 0 {
		tb.fatalf("%d cases left unticked by select all", n)
	}
	tb.tick(a)
	if !evalJS[bool](tb, `document.getElementById("all").indeterminate`) {
		tb.fatalf("select all is not shown as partly ticked after unticking one case")
	}
	tb.do("select none", chromedp.Click(chromedp.ID("all")), chromedp.Click(chromedp.ID("all")))
	if n := evalJS[int](tb, `document.querySelectorAll("#cases input[name=case]:checked").length`); n != 0 {
		tb.fatalf("%d cases still ticked after unticking all", n)
	}

	// The assignee comes from the list of people who may work on cases.
	people := evalJS[[]string](tb, `[...document.querySelectorAll("#assignees option")].map(o => o.value)`)
	if !slices.Contains(people, "bea") || !slices.Contains(people, "admin") || slices.Contains(people, "sam") {
		tb.fatalf("the assignee list is %v; want the handlers and admins, not the auditor", people)
	}
	if list := evalJS[string](tb, `document.getElementById("b-assignee").getAttribute("list")`); list != "assignees" {
		tb.fatalf("the assignee field is not tied to the list (list=%q)", list)
	}
	tb.tick(a, b)
	tb.do("choosing bea", chromedp.SetValue(chromedp.ID("b-assignee"), "bea"))
	tb.submit(`#bulk button[type=submit]`)
	if flash := evalJS[string](tb, `(document.querySelector(".flash[role=status]") || {}).textContent || ""`); flash != en.T("inbox.bulk_done", "Count", 2) {
		tb.fatalf("after assigning two cases the page says %q", flash)
	}
	if caseField(c, a, "assignee") != "bea" || caseField(c, b, "assignee") != "bea" || caseField(c, open, "assignee") != "" {
		tb.fatalf("assignees after the bulk action: %s=%q %s=%q %s=%q", a, caseField(c, a, "assignee"), b,
			caseField(c, b, "assignee"), open, caseField(c, open, "assignee"))
	}

	// Moving to triage works for a new case, not for an open one: that one is named, with why.
	tb.tick(a, open)
	tb.do("choosing the status change", chromedp.SetValue(chromedp.ID("b-action"), "status"), chromedp.SetValue(chromedp.ID("b-status"), "triage"))
	tb.submit(`#bulk button[type=submit]`)
	failed := evalJS[[]string](tb, `[...document.querySelectorAll(".bulk-failed li")].map(li => li.textContent)`)
	if len(failed) != 1 || !strings.HasPrefix(failed[0], open+": ") || strings.Contains(failed[0], "Fake profile") {
		tb.fatalf("the failures listed are %q; want %s alone, by number, with the reason", failed, open)
	}
	if caseField(c, a, "status") != "triage" || caseField(c, open, "status") != "open" {
		tb.fatalf("statuses after a partial failure: %s %s, %s %s", a, caseField(c, a, "status"), open, caseField(c, open, "status"))
	}
	if alert := evalJS[string](tb, `document.querySelector(".flash.error").textContent`); alert != en.T("inbox.bulk_failed", "Count", 1) {
		tb.fatalf("the alert says %q", alert)
	}
	tb.axe("inbox after a partial failure")
}

// TestBrowserInboxDesktop: a click anywhere on a row opens its case; the column headers sort;
// paging goes both ways; a case created while the page is open is announced, and showing it
// keeps the ticked cases ticked.
func TestBrowserInboxDesktop(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	var numbers []string // oldest first
	for i, p := range []string{"P3", "P2", "P4", "P3", "P2"} {
		numbers = append(numbers, mustCreateCase(c, map[string]any{"title": fmt.Sprintf("Case %d", i), "priority": p}))
	}
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)

	// Header sort: by age (newest first), then by priority.
	tb.open("/inbox?queue=open")
	tb.navigateBy("sorting by age", chromedp.Click(chromedp.CSS(`#cases thead a[href*="sort=created"]`)))
	if got := rowNumbers(tb); !slices.Equal(got, reversed(numbers)) {
		tb.fatalf("sorted by age: %v, want newest first %v", got, reversed(numbers))
	}
	if s := evalJS[string](tb, `document.querySelector("#cases th[aria-sort] a").getAttribute("href")`); !strings.Contains(s, "sort=created") {
		tb.fatalf("aria-sort is on the column of %q", s)
	}
	// The active header again: the other way (oldest first), said by aria-sort; once more, back.
	tb.navigateBy("reversing the age sort", chromedp.Click(chromedp.CSS(`#cases th[aria-sort] a`)))
	if got := rowNumbers(tb); !slices.Equal(got, numbers) {
		tb.fatalf("age sort reversed: %v, want oldest first %v", got, numbers)
	}
	if got := evalJS[string](tb, `document.querySelector("#cases th[aria-sort]").getAttribute("aria-sort")`); got != "descending" {
		tb.fatalf("reversed, aria-sort says %q", got)
	}
	tb.axe("inbox sorted by age, reversed")
	// A view saved now keeps the direction.
	tb.navigateBy("saving a reversed view", chromedp.SendKeys(chromedp.ID("view-name"), "Oldest first"),
		chromedp.Click(chromedp.CSS(`#view-name ~ button[type=submit]`)))
	tb.open("/inbox?queue=mine")
	tb.navigateBy("opening the saved view", chromedp.Click(chromedp.CSS(`.views a`)))
	if got := rowNumbers(tb); !slices.Equal(got, numbers) || evalJS[string](tb, `document.querySelector("#cases th[aria-sort]").getAttribute("aria-sort")`) != "descending" {
		tb.fatalf("the saved view lists %v, not oldest first", got)
	}
	tb.navigateBy("reversing it back", chromedp.Click(chromedp.CSS(`#cases th[aria-sort] a`)))
	if got := rowNumbers(tb); !slices.Equal(got, reversed(numbers)) || evalJS[string](tb, `document.querySelector("#cases th[aria-sort]").getAttribute("aria-sort")`) != "ascending" {
		tb.fatalf("age sort turned back: %v, want newest first", got)
	}
	tb.navigateBy("sorting by priority", chromedp.Click(chromedp.CSS(`#cases thead a[href*="sort=priority"]`)))
	prios := evalJS[[]string](tb, `[...document.querySelectorAll("#cases tbody tr[data-href]")].map(r => r.cells[4].textContent.trim())`)
	if !slices.IsSorted(prios) || len(prios) != 5 {
		tb.fatalf("sorted by priority: %v", prios)
	}
	tb.axe("inbox sorted by priority")

	// Paging both ways, two cases a page.
	tb.open("/inbox?queue=open&sort=created&limit=2")
	pages := [][]string{rowNumbers(tb)}
	for evalJS[bool](tb, `!!document.querySelector(".pager a[rel=next]")`) {
		tb.navigateBy("next page", chromedp.Click(chromedp.CSS(".pager a[rel=next]")))
		pages = append(pages, rowNumbers(tb))
	}
	if len(pages) != 3 || !slices.Equal(slices.Concat(pages...), reversed(numbers)) {
		tb.fatalf("pages forwards: %v", pages)
	}
	for i := len(pages) - 2; i >= 0; i-- {
		tb.navigateBy("previous page", chromedp.Click(chromedp.CSS(".pager a[rel=prev]")))
		if got := rowNumbers(tb); !slices.Equal(got, pages[i]) {
			tb.fatalf("page %d read backwards: %v, want %v", i+1, got, pages[i])
		}
	}
	if evalJS[bool](tb, `!!document.querySelector(".pager a[rel=prev]")`) {
		tb.fatalf("the first page offers a previous page")
	}
	// Reversed, paging keeps the direction.
	tb.open("/inbox?queue=open&sort=created&reverse=true&limit=2")
	pages = [][]string{rowNumbers(tb)}
	for evalJS[bool](tb, `!!document.querySelector(".pager a[rel=next]")`) {
		tb.navigateBy("next page, reversed", chromedp.Click(chromedp.CSS(".pager a[rel=next]")))
		pages = append(pages, rowNumbers(tb))
	}
	if len(pages) != 3 || !slices.Equal(slices.Concat(pages...), numbers) {
		tb.fatalf("reversed pages forwards: %v, want %v", pages, numbers)
	}
	tb.navigateBy("previous page, reversed", chromedp.Click(chromedp.CSS(".pager a[rel=prev]")))
	if got := rowNumbers(tb); !slices.Equal(got, pages[1]) {
		tb.fatalf("reversed, page 2 read backwards: %v, want %v", got, pages[1])
	}

	// A click on the title cell opens the case; the number stays a link.
	tb.open("/inbox?queue=open&sort=created")
	tb.navigateBy("clicking a row", chromedp.Click(chromedp.CSS(`#cases tbody tr[data-href="/cases/`+numbers[2]+`"] td:nth-child(3)`)))
	if loc := tb.location(); loc != "/cases/"+numbers[2] {
		tb.fatalf("clicking the row opened %s", loc)
	}

	// New cases: the page asks (every second here), says how many, and keeps the ticks.
	tb.open("/inbox?queue=open&sort=created")
	tb.tick(numbers[1])
	evalJS[chromedp.Void](tb, `document.getElementById("cases").setAttribute("data-poll", "1")`)
	newer := mustCreateCase(c, map[string]any{"title": "Arrived meanwhile", "priority": "P3"})
	tb.waitJS("the new-cases notice", `!document.querySelector("#fresh a").hidden`)
	en := inboxCatalog(t).Localizer("en")
	if got := evalJS[string](tb, `document.querySelector("#fresh span").textContent`); got != en.T("inbox.fresh", "Count", 1) {
		tb.fatalf("the notice says %q", got)
	}
	if !evalJS[bool](tb, fmt.Sprintf(`document.querySelector('#cases input[value=%q]').checked`, numbers[1])) {
		tb.fatalf("the tick was lost while the page asked for new cases")
	}
	tb.axe("inbox with the new-cases notice")
	tb.navigateBy("showing the new cases", chromedp.Click(chromedp.CSS("#fresh a")))
	if got := rowNumbers(tb); len(got) == 0 || got[0] != newer {
		tb.fatalf("after showing, the rows are %v; want %s first", got, newer)
	}
	ticked := evalJS[[]string](tb, `[...document.querySelectorAll("#cases input[name=case]:checked")].map(i => i.value)`)
	if !slices.Equal(ticked, []string{numbers[1]}) {
		tb.fatalf("after showing the new cases the ticked ones are %v, want %v", ticked, numbers[1:2])
	}
}

// TestBrowserInboxPhone: on a 390×844 phone the cases are cards showing number, title,
// priority, status, SLA clock and requester, and every control is at least 44 px tall, in
// English and in Arabic.
func TestBrowserInboxPhone(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	mustCreateCase(c, map[string]any{"title": "حساب مخترق", "priority": "P2", "language": "ar",
		"requester": map[string]any{"name": "Nour", "email": "nour@example.org"}})
	mustCreateCase(c, map[string]any{"title": "Harassment on a forum", "priority": "P1"})
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.do("emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(3)))
	defer tb.do("restoring the viewport", chromedp.EmulateViewport(viewportW, viewportH))
	for _, lang := range []string{"en", "ar"} {
		if lang != "en" {
			tb.switchLanguage(lang)
		}
		tb.open("/inbox?queue=open")
		type card struct {
			Display   string  `json:"display"`
			Width     float64 `json:"width"`
			Shown     []int   `json:"shown"`
			Requester string  `json:"requester"`
		}
		cards := evalJS[[]card](tb, `[...document.querySelectorAll("#cases tbody tr[data-href]")].map(r => ({
			display: getComputedStyle(r).display, width: r.getBoundingClientRect().width, requester: r.cells[3].textContent.trim(),
			shown: [...r.cells].filter(td => td.getBoundingClientRect().height > 0).map(td => td.cellIndex)}))`)
		if len(cards) < 2 {
			tb.fatalf("%s: %d cases shown", lang, len(cards))
		}
		named := 0
		for _, cd := range cards {
			// checkbox, number, title, priority, status and SLA; the requester when there is one
			want := []int{0, 1, 2, 4, 5, 10}
			if cd.Requester != "" {
				want, named = []int{0, 1, 2, 3, 4, 5, 10}, named+1
			}
			if cd.Display != "grid" || cd.Width > 390 || !slices.Equal(cd.Shown, want) {
				tb.fatalf("%s: a case shows as %+v; want a card no wider than the phone showing cells %v", lang, cd, want)
			}
		}
		if named != 1 {
			tb.fatalf("%s: %d cards name their requester, want 1", lang, named)
		}
		small := evalJS[[]string](tb, `[...document.querySelectorAll(".inbox a, .inbox button, .inbox input:not([type=hidden]), .inbox select, .inbox summary")]
			.filter(e => !e.closest("#cases thead") && e.getClientRects().length > 0)
			.filter(e => e.getBoundingClientRect().height < 44)
			.map(e => e.outerHTML.slice(0, 120) + " " + e.getBoundingClientRect().height)`)
		if len(small) > 0 {
			tb.fatalf("%s: controls under 44 px tall: %q", lang, small)
		}
		if w := evalJS[float64](tb, `document.documentElement.scrollWidth`); w > 390 {
			tb.errorf("%s: the page is %v px wide on a 390 px phone", lang, w)
		}
		tb.axe("inbox on a phone (" + lang + ")")
		phoneCasePage(tb, lang, rowNumbers(tb)[0])
	}
}

// phoneCasePage: on the phone, a case page reads top to bottom (the request, the history, then
// the composer, before the side panels) without sideways scrolling, and the composer is there.
func phoneCasePage(tb *tab, lang, number string) {
	tb.t.Helper()
	tb.open("/cases/" + number)
	if w := evalJS[float64](tb, `document.documentElement.scrollWidth`); w > 390 {
		tb.errorf("%s: the case page is %v px wide on a 390 px phone", lang, w)
	}
	order := evalJS[bool](tb, `(() => {
		const top = el => el.getBoundingClientRect().top;
		const req = document.querySelector("section.request"), reply = document.getElementById("reply-text"),
			side = document.querySelector("aside.case-side");
		return !!req && !!reply && !!side && top(req) < top(reply) && top(reply) < top(side) &&
			reply.getBoundingClientRect().width <= 390;
	})()`)
	if !order {
		tb.errorf("%s: on a phone the case page does not read request, history, composer, then the side panels", lang)
	}
	tb.axe("a case page on a phone (" + lang + ")")
}

// rowNumbers are the case numbers of the inbox's rows, top to bottom.
func rowNumbers(tb *tab) []string {
	tb.t.Helper()
	return evalJS[[]string](tb, `[...document.querySelectorAll("#cases tbody tr[data-href]")].map(r => r.cells[1].textContent.trim())`)
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}
