package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPublicStatistics: the public page is off until an admin turns it on; then it needs no
// sign-in and sets no cookie, counts only consented cases, shows small counts as "<10" with
// complementary cells hidden, and names no case.
func TestPublicStatistics(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	for _, slug := range []string{"phishing", "harassment"} {
		if st, out := c.do("POST", "/api/v1/categories", map[string]any{"slug": slug}); st != 201 && st != 409 {
			t.Fatalf("category %s: %d %v", slug, st, out)
		}
	}
	open := func(n int, category, country string, consent bool) {
		for range n {
			mustCreateCase(c, map[string]any{"title": "public " + category, "country": country, "categories": []string{category},
				"consent": map[string]bool{"statistics": consent}, "requester": map[string]any{"pseudonym": "Zqpublicperson"}})
		}
	}
	open(30, "phishing", "LB", true)
	open(25, "harassment", "LB", true)
	open(20, "phishing", "MX", true)
	open(3, "harassment", "MX", true) // the small cell
	open(40, "harassment", "MX", false)
	get := func(path string) (int, http.Header, string) {
		t.Helper()
		resp, err := http.Get(c.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	if st, _, _ := get("/public/statistics.json"); st != 404 {
		t.Fatalf("the page answers %d before an admin turns it on", st)
	}
	if st, out := c.do("PUT", "/api/v1/settings/public-statistics", map[string]any{"enabled": true, "k": 10, "round": 1}); st != 200 {
		t.Fatalf("enable: %d %v", st, out)
	}
	st, h, body := get("/public/statistics.json")
	if st != 200 || h.Get("Set-Cookie") != "" || strings.Contains(body, "Zqpublicperson") || strings.Contains(body, "HV-") {
		t.Fatalf("public json: %d cookie %q\n%s", st, h.Get("Set-Cookie"), body)
	}
	var pub struct {
		Table struct {
			Rows  []string `json:"rows"`
			Cols  []string `json:"cols"`
			Cells [][]any  `json:"cells"`
			Total any      `json:"total"`
		} `json:"by_category_and_country"`
	}
	if err := json.Unmarshal([]byte(body), &pub); err != nil {
		t.Fatal(err)
	}
	tb := pub.Table
	if fmt.Sprint(tb.Rows) != "[harassment phishing]" || fmt.Sprint(tb.Cols) != "[LB MX]" || tb.Total != 78.0 {
		t.Fatalf("table: %+v", tb)
	}
	if tb.Cells[0][1] != "<10" || tb.Cells[0][0] == 25.0 || tb.Cells[1][1] == 20.0 {
		t.Errorf("the small cell and its complements: %v", tb.Cells)
	}
	st, h, page := get("/public/statistics")
	if st != 200 || h.Get("Set-Cookie") != "" || !strings.Contains(page, "&lt;10") || !strings.Contains(page, fmt.Sprint(time.Now().Year())) {
		t.Fatalf("public page: %d\n%.1500s", st, page)
	}
}

// TestBrowserPublicStatistics: the public page, in English and in Arabic (mirrored), is clean
// for axe and leaves no cookie in the browser.
func TestBrowserPublicStatistics(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	for i := range 24 {
		mustCreateCase(c, map[string]any{"title": "public", "country": []string{"LB", "MX", "TN"}[i%3],
			"consent": map[string]bool{"statistics": true}, "requester": map[string]any{"pseudonym": "P"}})
	}
	if st, out := c.do("PUT", "/api/v1/settings/public-statistics", map[string]any{"enabled": true, "k": 10, "round": 1}); st != 200 {
		t.Fatalf("enable: %d %v", st, out)
	}
	tb := newTab(t, c.base)
	tb.open("/public/statistics")
	if cookies := evalJS[string](tb, `document.cookie`); cookies != "" {
		tb.fatalf("the public page left cookies: %q", cookies)
	}
	if table := evalJS[string](tb, `document.querySelector("table").innerText`); !strings.Contains(table, "<10") || !strings.Contains(table, "24") {
		tb.fatalf("the table: %q", table)
	}
	tb.axe("the public statistics")
	tb.open("/public/statistics?lang=ar")
	if dir := evalJS[string](tb, `document.documentElement.dir`); dir != "rtl" {
		tb.fatalf("dir = %q", dir)
	}
	tb.axe("the public statistics (ar)")
}
