package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserThreatIntel: in a real browser, a handler sees the observables of two phishing
// cases correlated on the case page, judges the look-alike domain on its page, tags the case
// with a technique and a campaign, previews and downloads the STIX export; the intel page looks
// values up and takes a partner's feed in; in Arabic the pages are mirrored and clean for axe.
func TestBrowserThreatIntel(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	first := mustCreateCase(c, map[string]any{"title": "Phishing at a newsroom", "assignee": "admin", "requester": map[string]any{"pseudonym": "Rania"}})
	second := mustCreateCase(c, map[string]any{"title": "Same kit, another journalist", "requester": map[string]any{"pseudonym": "Omar"}})
	for _, n := range []string{first, second} {
		mustPost(c, "/api/v1/cases/"+n+"/notes", map[string]any{"body": "The link was hxxps://paypa1-secure[.]com/login"})
	}
	mustPost(c, "/api/v1/campaigns", map[string]any{"name": "Fake PayPal wave", "tlp": "green"})
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.open("/cases/" + first)
	panel := evalJS[string](tb, `document.querySelector("#observables").innerText`)
	if !strings.Contains(panel, "paypa1-secure.com") || !strings.Contains(panel, second) || !strings.Contains(panel, "Looks like paypal") {
		tb.fatalf("the case's observables panel: %q", panel)
	}
	tb.navigateBy("opening the domain's page", chromedp.Click(chromedp.CSS(`#observables a[href^="/observables/"]`)))
	tb.do("judging it",
		chromedp.SetValue(chromedp.ID("o-verdict"), "malicious"),
		chromedp.SetValue(chromedp.ID("o-tlp"), "green"),
		chromedp.SetValue(chromedp.ID("o-conf"), "90"),
		chromedp.SendKeys(chromedp.ID("o-tech"), "T1566.002"))
	tb.submit(`form[action^="/observables/"] button[type=submit]`)
	if facts := evalJS[string](tb, `document.querySelector("dl.facts").innerText`); !strings.Contains(facts, "malicious") || !strings.Contains(facts, "Spearphishing Link") {
		tb.fatalf("the judged observable: %q", facts)
	}
	if rows := evalJS[int](tb, `document.querySelectorAll("table.cases tbody tr a[href^='/cases/']").length`); rows != 2 {
		tb.fatalf("%d sightings listed, want 2", rows)
	}
	tb.open("/cases/" + first)
	tb.do("tagging the case", chromedp.Click(chromedp.CSS(`#observables details summary`)),
		chromedp.SendKeys(chromedp.ID("ci-tech"), "T1566.002"), chromedp.SetValue(chromedp.ID("ci-groups"), "1"))
	tb.submit(`form[action$="/intel"] button[type=submit]`)
	if panel := evalJS[string](tb, `document.querySelector("#observables").innerText`); !strings.Contains(panel, "Fake PayPal wave") || !strings.Contains(panel, "T1566.002") {
		tb.fatalf("the case's tagging: %q", panel)
	}
	tb.navigateBy("previewing the STIX export", chromedp.Click(chromedp.CSS(`#observables a[href$="/export?format=stix"]`)))
	doc := evalJS[string](tb, `document.querySelector("pre.export-doc").innerText`)
	if !strings.Contains(doc, `"type": "bundle"`) || !strings.Contains(doc, "paypa1-secure.com") || strings.Contains(doc, "Rania") {
		tb.fatalf("the preview: %.600s", doc)
	}
	tb.axe("an export preview")
	tb.open("/intel?q=" + "paypa1-secure%5B.%5Dcom")
	if found := evalJS[string](tb, `document.querySelector("ul.observables").innerText`); !strings.Contains(found, "paypa1-secure.com") {
		tb.fatalf("the lookup: %q", found)
	}
	tb.do("pasting a partner's feed",
		chromedp.SendKeys(chromedp.ID("imp-source"), "CiviCERT"),
		chromedp.SetValue(chromedp.ID("imp-body"), `{"type":"bundle","id":"bundle--0c2c5a9e-8a4b-4b8c-9d7e-2f3a4b5c6d7e","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--1d3d5b0f-9b5c-4c9d-8e8f-3a4b5c6d7e8f","created":"2026-03-01T09:00:00.000Z","modified":"2026-03-01T09:00:00.000Z","valid_from":"2026-03-01T09:00:00.000Z","pattern_type":"stix","indicator_types":["malicious-activity"],"pattern":"[url:value = 'https://paypa1-secure.com/login']"}]}`))
	tb.submit(`form[action="/intel/import"] button[type=submit]`)
	if status := evalJS[string](tb, `document.querySelector("main [role=status]").innerText`); !strings.Contains(status, "1 indicators") || !strings.Contains(status, "2 cases") {
		tb.fatalf("the import's result: %q", status)
	}
	tb.axe("the threat-intelligence page")
	tb.switchLanguage("ar")
	tb.open("/cases/" + second)
	if panel := evalJS[string](tb, `document.querySelector("#observables").innerText`); !strings.Contains(panel, "خبيث معروف") || !strings.Contains(panel, first) {
		tb.fatalf("the second case, in Arabic, after the feed: %q", panel)
	}
	tb.open("/intel")
	if dir := evalJS[string](tb, `document.documentElement.dir`); dir != "rtl" {
		tb.fatalf("dir = %q", dir)
	}
	tb.axe("the threat-intelligence page (ar)")
	tb.screenshot("intel-ar")
}
