package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserEscalationInArabic: in a real browser, with the interface in Arabic, a handler
// drafts an escalation of a case to Instagram, sees what will leave the helpline, sends it (its
// email joins the escalation's correspondence), records the platform's resolution, sees it on
// the case page, and opens the analytics page, whose charts are mirrored.
func TestBrowserEscalationInArabic(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	if st, out := c.do("PATCH", "/api/v1/platforms/instagram", map[string]any{
		"channels": []map[string]string{{"kind": "email", "address": "partners@instagram.example"}},
		"targets":  map[string]int{"hacked-account": 24}}); st != 200 {
		t.Fatalf("platform: %d %v", st, out)
	}
	number := mustCreateCase(c, map[string]any{"title": "تم اختراق حسابي على إنستغرام", "language": "ar", "assignee": "admin",
		"consent": map[string]bool{"share_with_partner": true}, "requester": map[string]any{"pseudonym": "نور"}})
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.switchLanguage("ar")
	tb.open("/cases/" + number)
	tb.navigateBy("opening the escalation form", chromedp.Click(chromedp.CSS(`a[href$="/escalations/new"]`)))
	tb.do("filling in the escalation",
		chromedp.SetValue(chromedp.ID("esc-platform"), "instagram"),
		chromedp.SetValue(chromedp.ID("esc-kind"), "hacked-account"),
		chromedp.SendKeys(chromedp.ID("esc-subject"), "حساب صحفية مخترق"),
		chromedp.SendKeys(chromedp.ID("esc-body"), "نرجو استعادة الحساب @nour_journalist"))
	tb.submit(`#escalate button[type=submit]`)
	preview := evalJS[string](tb, `document.querySelector(".esc-preview").innerText`)
	if !strings.Contains(preview, "partners@instagram.example") || !strings.Contains(preview, "[HVE-") || !strings.Contains(preview, "نرجو استعادة الحساب") {
		tb.fatalf("the draft does not show what will be sent: %q", preview)
	}
	tb.axe("a draft escalation (ar)")
	tb.screenshot("escalation-draft-ar")
	tb.submit(`#send button[type=submit]`)
	_, list := c.do("GET", "/api/v1/cases/"+number+"/escalations", nil)
	if raw := marshal(list); !strings.Contains(raw, `"state":"sent"`) || !strings.Contains(raw, `"message_id"`) {
		tb.fatalf("not sent: %s", raw)
	}
	if corr := evalJS[string](tb, `document.querySelector("ol.timeline").innerText`); !strings.Contains(corr, "نرجو استعادة الحساب") {
		tb.fatalf("the email sent is not in the escalation's correspondence: %q", corr)
	}
	tb.do("recording the resolution",
		chromedp.SetValue(chromedp.ID("esc-to"), "resolved"),
		chromedp.SendKeys(chromedp.ID("esc-ref"), "IG-4471"))
	tb.submit(`#move button[type=submit]`)
	_, list = c.do("GET", "/api/v1/cases/"+number+"/escalations", nil)
	if raw := marshal(list); !strings.Contains(raw, `"state":"resolved"`) || !strings.Contains(raw, `"reference":"IG-4471"`) {
		tb.fatalf("not resolved: %s", raw)
	}
	tb.open("/cases/" + number)
	if row := evalJS[string](tb, `document.querySelector("ul.escalations li").innerText`); !strings.Contains(row, "Instagram") || !strings.Contains(row, "IG-4471") {
		tb.fatalf("the case page's escalation: %q", row)
	}
	tb.open("/escalations/stats")
	if n := evalJS[int](tb, `document.querySelectorAll("figure.chart svg[direction=rtl]").length`); n != 4 {
		tb.fatalf("%d mirrored charts, want 4", n)
	}
	table := evalJS[string](tb, `document.querySelector("#st-table + .table-scroll table").innerText`)
	if !strings.Contains(table, "Instagram") || !strings.Contains(table, "100 %") {
		tb.fatalf("the data table: %q", table)
	}
	tb.axe("escalation analytics (ar)")
	tb.screenshot("escalation-stats-ar")
	tb.open("/escalations")
	if rows := evalJS[int](tb, `document.querySelectorAll("table.cases tbody tr a[href^='/cases/']").length`); rows != 1 {
		tb.fatalf("%d escalations listed, want 1", rows)
	}
}
