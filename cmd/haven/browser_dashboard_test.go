package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowserDashboard: the leads' dashboard draws a chart and a table per breakdown, counting
// the cases opened this year, with the SLA targets by priority and the escalations by platform;
// in Arabic the charts are mirrored; axe finds nothing in either.
func TestBrowserDashboard(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	var numbers []string
	for i, country := range []string{"LB", "LB", "MX"} {
		numbers = append(numbers, mustCreateCase(c, map[string]any{"title": "dashboard case", "country": country,
			"priority": []string{"P1", "P2", "P3"}[i], "requester": map[string]any{"pseudonym": "R"}}))
	}
	// The P1 case answered (its first-response target met) and escalated to Instagram.
	mustPost(c, "/api/v1/cases/"+numbers[0]+"/messages", map[string]any{"direction": "out", "channel": "phone", "text": "called back"})
	if st, out := c.do("PATCH", "/api/v1/platforms/instagram", map[string]any{
		"channels": []map[string]string{{"kind": "email", "address": "partners@instagram.example"}}}); st != 200 {
		t.Fatalf("platform: %d %v", st, out)
	}
	e := mustPost(c, "/api/v1/cases/"+numbers[0]+"/escalations", map[string]any{"platform": "instagram", "kind": "hacked-account",
		"subject": "Account", "body": "Please restore the account."})
	mustPost(c, fmt.Sprintf("/api/v1/escalations/%v/transitions", e["id"]), map[string]any{"to": "sent", "consent_override": true, "reason": "urgent"})
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.open("/dashboard")
	if n := evalJS[int](tb, `document.querySelectorAll("section.dash-panel figure.chart svg").length`); n != 14 {
		tb.fatalf("%d charts, want 14 (backlog, two SLA, escalations, ten breakdowns)", n)
	}
	// P1: first response met; P1 to P3: resolution running.
	sla := evalJS[[]string](tb, `[...document.querySelectorAll("#dash-sla ~ .table-scroll tbody tr")].map(r => [...r.cells].map(c => c.innerText).join("|"))`)
	if len(sla) != 4 || !strings.HasSuffix(sla[0], "|1|0|0|0|0|1") || !strings.HasSuffix(sla[1], "|0|0|1|0|0|1") {
		tb.fatalf("the SLA table: %q", sla)
	}
	esc := evalJS[string](tb, `document.querySelector("#dash-escalations ~ .table-scroll table").innerText`)
	if !strings.Contains(esc, "Instagram\t1\t0") {
		tb.fatalf("the escalations' table: %q", esc)
	}
	countries := evalJS[string](tb, `document.querySelector("#dash-country").parentElement.querySelector("table").innerText`)
	if !strings.Contains(countries, "LB\t2") || !strings.Contains(countries, "MX\t1") {
		tb.fatalf("the countries' table: %q", countries)
	}
	tb.axe("the dashboard")
	tb.switchLanguage("ar")
	tb.open("/dashboard")
	if n := evalJS[int](tb, `document.querySelectorAll("figure.chart svg[direction=rtl]").length`); n != 14 {
		tb.fatalf("%d mirrored charts, want 14", n)
	}
	if h := evalJS[string](tb, `document.querySelector("#dash-sla").innerText`); !strings.Contains(h, "مستوى الخدمة") {
		tb.fatalf("the SLA panel's title in Arabic: %q", h)
	}
	tb.axe("the dashboard (ar)")
	tb.screenshotAt("dashboard-ar", 2600) // the filters, the backlog, the SLA and escalation panels
}
