package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCaseLinks: in a real browser a handler links two cases (each then lists the other),
// marks one as a duplicate of the other (its messages appear on the survivor) and opens the old
// number, which says whose duplicate it is; in English and in Arabic, without accessibility
// violations.
func TestBrowserCaseLinks(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	nour := map[string]any{"name": "Nour", "email": "nour@example.org"}
	a := mustCreateCase(c, map[string]any{"title": "حساب مخترق", "requester": nour})
	b := mustCreateCase(c, map[string]any{"title": "Cannot log in", "requester": nour})
	mustPost(c, "/api/v1/cases/"+b+"/messages", map[string]any{"direction": "in", "channel": "phone", "text": "zebracorn recovery codes"})
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.open("/cases/" + a)
	tb.do("typing the related case", chromedp.SendKeys(chromedp.ID("link-case"), b))
	tb.submit(`#link-form button[type=submit]`)
	if got := evalJS[string](tb, `document.querySelector("ul.case-links").innerText`); !strings.Contains(got, b) || !strings.Contains(got, "Cannot log in") {
		tb.fatalf("A does not list B: %q", got)
	}
	tb.axe("a case with a related case (en)")
	tb.open("/cases/" + b)
	if got := evalJS[string](tb, `document.querySelector("ul.case-links").innerText`); !strings.Contains(got, a) {
		tb.fatalf("B does not list A: %q", got)
	}
	tb.do("filling in the duplicate form",
		chromedp.Click(chromedp.CSS(`details.duplicate summary`)),
		chromedp.SendKeys(chromedp.ID("duplicate-case"), a))
	tb.submit(`#duplicate-form button[type=submit]`) // not confirmed: refused, input kept
	if got := evalJS[string](tb, `document.getElementById("err-duplicate-confirm").innerText + "|" + document.getElementById("duplicate-case").value`); !strings.Contains(got, "|"+a) {
		tb.fatalf("the unconfirmed merge: %q", got)
	}
	tb.do("confirming", chromedp.Click(chromedp.CSS(`#duplicate-form input[name=confirm]`)))
	tb.submit(`#duplicate-form button[type=submit]`)
	if got := evalJS[string](tb, `document.getElementById("duplicate-of").innerText`); !strings.Contains(got, "duplicate of "+a) {
		tb.fatalf("the duplicate does not say whose it is: %q", got)
	}
	tb.axe("a duplicate case (en)")
	tb.open("/cases/" + a)
	if got := evalJS[string](tb, `document.querySelector("ol.timeline").innerText`); !strings.Contains(got, "zebracorn") {
		tb.fatalf("the duplicate's message is not on the survivor: %q", got)
	}
	tb.switchLanguage("ar")
	tb.open("/cases/" + b)
	if got := evalJS[string](tb, `document.documentElement.dir + "|" + document.getElementById("duplicate-of").innerText`); !strings.HasPrefix(got, "rtl|") || !strings.Contains(got, a) {
		tb.fatalf("the Arabic duplicate banner: %q", got)
	}
	tb.axe("a duplicate case (ar)")
	tb.open("/cases/" + a)
	if got := evalJS[string](tb, `document.querySelector("ul.case-links").innerText`); !strings.Contains(got, b) {
		tb.fatalf("the survivor does not list its duplicate: %q", got)
	}
	tb.axe("a case with a merged duplicate (ar)")
}
