package web

import (
	"html/template"
	"strings"
	"testing"
)

// TestInboxTeamFilterInReadersLanguage: the inbox's team filter offers each team by its slug,
// named by its label in the reader's language, else the English one (escaped), and keeps the
// chosen one selected.
func TestInboxTeamFilterInReadersLanguage(t *testing.T) {
	s, cs := inboxServer(t)
	for lang, want := range map[string]string{
		"ar": `<option value="tier1" selected>المستوى الأول</option>`,
		"fr": `<option value="tier1" selected>Tier 1 &lt;first line&gt;</option>`,
	} {
		cs.filters = nil
		page := inboxGet(s, "GET", "/inbox?queue=open&team=tier1", nil, lang).Body.String()
		if !strings.Contains(page, want) {
			t.Errorf("%s: the team filter lacks %s", lang, want)
		}
		if len(cs.filters) == 0 || cs.filters[0].Team != "tier1" {
			t.Errorf("%s: the list was read with %+v, want the team's slug", lang, cs.filters)
		}
	}
}

// TestViewHref: a saved view's link carries its parameters as parameters (the template used to
// escape its = and &, opening the bare inbox), re-encoded so nothing else gets in.
func TestViewHref(t *testing.T) {
	tpl := template.Must(template.New("").Funcs(template.FuncMap{"viewHref": viewHref}).Parse(`<a href="{{viewHref .}}">`))
	for query, want := range map[string]string{
		"queue=open&sort=created&reverse=true": `<a href="/inbox?queue=open&amp;reverse=true&amp;sort=created">`,
		`q="><script>&queue=open`:              `<a href="/inbox?q=%22%3E%3Cscript%3E&amp;queue=open">`,
		"%zz":                                  `<a href="/inbox">`,
	} {
		var b strings.Builder
		if err := tpl.Execute(&b, query); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("%q: %s, want %s", query, b.String(), want)
		}
	}
}

// TestTeamLabelFallback: a case's team reads as its label, a team no longer listed by its slug.
func TestTeamLabelFallback(t *testing.T) {
	teams := []teamChoice{{Name: "mena", Label: "الشرق الأوسط"}}
	if got := teamLabel(teams, "mena"); got != "الشرق الأوسط" {
		t.Errorf("mena: %q", got)
	}
	if got := teamLabel(teams, "gone"); got != "gone" {
		t.Errorf("a team not listed: %q", got)
	}
}
