package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserTeamLabels: an admin names a team in each language (API and admin page); the inbox's
// team filter and the case page show it in the reader's language, falling back to English, then
// to the slug; a refused label keeps what was typed and says why beside its field. Axe clean.
func TestBrowserTeamLabels(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	mustPost(c, "/api/v1/teams", map[string]any{"name": "mena"})
	mustPost(c, "/api/v1/teams", map[string]any{"name": "latam"})
	st, out := c.do("PATCH", "/api/v1/teams/mena", map[string]any{"labels": map[string]string{"en": "Middle East", "ar": "الشرق الأوسط"}})
	if labels, _ := out["labels"].(map[string]any); st != 200 || out["name"] != "mena" || labels["ar"] != "الشرق الأوسط" {
		t.Fatalf("PATCH labels: %d %v", st, out)
	}
	for _, bad := range []map[string]any{{"labels": map[string]string{"de": "Nahost"}}, {"labels": map[string]string{"ar": strings.Repeat("ش", 81)}},
		{"labels": map[string]string{"fr": "Moyen\u0007Orient"}}, {"name": "renamed"}} {
		if st, out := c.do("PATCH", "/api/v1/teams/mena", bad); st != 400 {
			t.Errorf("PATCH %v: %d %v, want 400", bad, st, out)
		}
	}
	number := mustCreateCase(c, map[string]any{"title": "Account taken over", "priority": "P2", "team": "latam"})
	if st, out := c.do("PATCH", "/api/v1/cases/"+number, map[string]any{"team": "mena"}); st != 200 {
		t.Fatalf("moving the case to mena: %d %v", st, out)
	}

	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.switchLanguage("ar")
	tb.open("/inbox?queue=open")
	options := func() string {
		return evalJS[string](tb, `[...document.querySelectorAll("#f-team option")].map(o => o.value + "=" + o.textContent).join("|")`)
	}
	if got := options(); got != "=—|latam=latam|mena=الشرق الأوسط" {
		tb.fatalf("the inbox's team filter in Arabic: %q", got)
	}
	tb.axe("inbox with team labels (ar)")
	tb.open("/inbox?queue=open&team=mena")
	if got := rowNumbers(tb); len(got) != 1 || got[0] != number {
		tb.fatalf("filtered by the team: %v", got)
	}
	tb.open("/cases/" + number)
	dd := evalJS[string](tb, `[...document.querySelectorAll(".case-header dt")].find(dt => dt.nextElementSibling.querySelector("bdi") && dt.textContent === `+fmt.Sprintf("%q", inboxCatalog(t).Localizer("ar").T("col.team"))+`).nextElementSibling.textContent`)
	if dd != "الشرق الأوسط" {
		tb.fatalf("the case page's team in Arabic: %q", dd)
	}
	if sel := evalJS[string](tb, `document.querySelector("#e-team option:checked").value + "=" + document.querySelector("#e-team option:checked").textContent`); sel != "mena=الشرق الأوسط" {
		tb.fatalf("the case's team choice: %q", sel)
	}
	if changes := evalJS[string](tb, `[...document.querySelectorAll("ol.timeline ul.changes")].map(u => u.innerText).join("\n")`); !strings.Contains(changes, "الشرق الأوسط") || !strings.Contains(changes, "latam") {
		tb.fatalf("the history's team change in Arabic: %q", changes)
	}
	tb.axe("case page with a team label (ar)")
	tb.open("/dashboard")
	if got := evalJS[string](tb, `[...document.querySelectorAll("#d-team option")].map(o => o.value + "=" + o.textContent).join("|")`); got != "=—|latam=latam|mena=الشرق الأوسط" {
		tb.fatalf("the dashboard's team filter in Arabic: %q", got)
	}
	if rows := evalJS[string](tb, `document.getElementById("dash-team").closest("section").querySelector("tbody").innerText`); !strings.Contains(rows, "الشرق الأوسط") {
		tb.fatalf("the dashboard's team panel in Arabic: %q", rows)
	}
	tb.axe("dashboard with team labels (ar)")

	// French has no label: the English one shows.
	tb.switchLanguage("fr")
	tb.open("/cases/" + number)
	if sel := evalJS[string](tb, `document.querySelector("#e-team option:checked").textContent`); sel != "Middle East" {
		tb.fatalf("with no French label the team reads %q, want the English one", sel)
	}

	// The admin page: a label per language; one too long is refused beside its field, typed
	// text kept; then a French label is saved and shown.
	tb.open("/admin")
	evalJS[chromedp.Void](tb, `document.querySelector('form[action="/admin/teams/mena/labels"]').parentElement.open = true`)
	evalJS[chromedp.Void](tb, `document.getElementById("tl-mena-fr").value = "x".repeat(81)`)
	if resp := tb.submit(`form[action="/admin/teams/mena/labels"] button[type=submit]`); resp.Status != 422 {
		tb.fatalf("a label of 81 characters: HTTP %d", resp.Status)
	}
	if e := evalJS[string](tb, `document.getElementById("err-tl-mena-fr").textContent`); e != inboxCatalog(t).Localizer("fr").T("admin.team_label_invalid") {
		tb.errorf("the refusal beside the field: %q", e)
	}
	if v := evalJS[string](tb, `document.getElementById("tl-mena-ar").value`); v != "الشرق الأوسط" {
		tb.errorf("the other labels were not kept: %q", v)
	}
	tb.axe("admin page with a refused team label")
	evalJS[chromedp.Void](tb, `document.getElementById("tl-mena-fr").value = "Moyen-Orient"`)
	if resp := tb.submit(`form[action="/admin/teams/mena/labels"] button[type=submit]`); resp.Status != 200 {
		tb.fatalf("saving the French label: HTTP %d", resp.Status)
	}
	if h := evalJS[string](tb, `[...document.querySelectorAll("#teams-title ~ h3:has(bdi)")].map(h => h.textContent).join("|")`); h != "latam|Moyen-Orient mena" {
		tb.errorf("the admin page's teams: %q", h)
	}
	tb.open("/inbox?queue=open")
	if got := options(); got != "=—|latam=latam|mena=Moyen-Orient" {
		tb.fatalf("the inbox's team filter in French: %q", got)
	}
}
