package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowserDashboard: the leads' dashboard draws a chart and a table per breakdown, counting
// the cases opened this year; in Arabic the charts are mirrored; axe finds nothing in either.
func TestBrowserDashboard(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	for i, country := range []string{"LB", "LB", "MX"} {
		mustCreateCase(c, map[string]any{"title": "dashboard case", "country": country, "priority": []string{"P1", "P2", "P3"}[i],
			"requester": map[string]any{"pseudonym": "R"}})
	}
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.open("/dashboard")
	if n := evalJS[int](tb, `document.querySelectorAll("section.dash-panel figure.chart svg").length`); n != 11 {
		tb.fatalf("%d charts, want 11", n)
	}
	countries := evalJS[string](tb, `document.querySelector("#dash-country").parentElement.querySelector("table").innerText`)
	if !strings.Contains(countries, "LB\t2") || !strings.Contains(countries, "MX\t1") {
		tb.fatalf("the countries' table: %q", countries)
	}
	tb.axe("the dashboard")
	tb.switchLanguage("ar")
	tb.open("/dashboard")
	if n := evalJS[int](tb, `document.querySelectorAll("figure.chart svg[direction=rtl]").length`); n != 11 {
		tb.fatalf("%d mirrored charts, want 11", n)
	}
	tb.axe("the dashboard (ar)")
	tb.screenshot("dashboard-ar")
}
