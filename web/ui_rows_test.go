package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

// The hand-written HTML must escape exactly as html/template does in text and quoted attributes.
func TestHTMLWriterEscapesLikeTemplates(t *testing.T) {
	for _, s := range []string{"", "plain", `<script>alert(1)</script>`, `" onmouseover="x`, "it's & <b>",
		"a\x00b", "مرحبا <i>", "javascript:alert(1)", `<svg onload=alert(1)>`, "&amp;"} {
		if got, want := esc(s), template.HTMLEscapeString(s); got != want {
			t.Errorf("esc(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzHTMLWriter(f *testing.F) {
	f.Add(`<a href="x">'&'</a>`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := esc(s), template.HTMLEscapeString(s); got != want {
			t.Fatalf("esc(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestCaseRowsEscape(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	evil := `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	c := &haven.Case{Number: "HV-2026-000001", Title: evil, RequesterName: evil, Priority: haven.P1,
		Status: haven.StatusOpen, Categories: []string{evil, "phishing"}, Assignee: evil, Language: "ar",
		CreatedAt: now.Add(-3 * time.Hour)}
	got := string(caseRowsHTML(cat.Localizer("en"), map[string]string{"phishing": "Phishing & <lures>"}, []*haven.Case{c}, now))
	for _, bad := range []string{"<script", "<img", `""`} {
		if strings.Contains(got, bad) {
			t.Errorf("rows contain %q unescaped:\n%s", bad, got)
		}
	}
	if n := strings.Count(got, template.HTMLEscapeString(evil)); n != 4 {
		t.Errorf("want the title, requester, category and assignee escaped (4 times), found %d:\n%s", n, got)
	}
	for _, want := range []string{`<tr class="p1" data-href="/cases/HV-2026-000001">`, "3 hours", `status-open">Open<`, ", Phishing &amp; &lt;lures&gt;</td>"} {
		if !strings.Contains(got, want) {
			t.Errorf("rows lack %q:\n%s", want, got)
		}
	}
	purged := *c
	purged.PurgedAt = &now
	if got := string(caseRowsHTML(cat.Localizer("fr"), nil, []*haven.Case{&purged}, now)); strings.Contains(got, "alert(1)</script") || !strings.Contains(got, cat.Localizer("fr").T("case.purged")) {
		t.Errorf("a purged case shows its title or lacks the purged label:\n%s", got)
	}
}

// Fixed messages are compiled into each language's pages, escaped, and never read as actions.
func TestLocalSource(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ar := cat.Localizer("ar")
	src := `<h1>{{.L.T "inbox.title"}}</h1><a title="{{$v.L.T "nav.search"}}">{{$.L.T "nav.inbox"}}</a>{{.L.T "inbox.cases" "Count" 3}}`
	got := localSource(src, ar)
	for _, id := range []string{"inbox.title", "nav.search", "nav.inbox"} {
		if !strings.Contains(got, esc(ar.T(id))) {
			t.Errorf("%s not compiled into %q", id, got)
		}
	}
	if !strings.Contains(got, `{{.L.T "inbox.cases" "Count" 3}}`) {
		t.Errorf("a message with data must stay a template action: %q", got)
	}
	if strings.Count(got, "{{") != 1 {
		t.Errorf("fixed messages left as actions: %q", got)
	}
}

// Every page is compiled in every language, and a page renders its fixed strings translated.
func TestPagesInEveryLanguage(t *testing.T) {
	s, _ := testServer(t, &fake{})
	for _, lang := range s.catalog.Languages() {
		l := s.catalog.Localizer(lang.Tag)
		if len(s.pages[lang.Tag]) != len(s.pages["en"]) {
			t.Fatalf("%s has %d pages, English %d", lang.Tag, len(s.pages[lang.Tag]), len(s.pages["en"]))
		}
		var buf bytes.Buffer
		v := &view{L: l, Languages: s.catalog.Languages(), Path: "/login", Title: "x", Data: &loginData{}}
		if err := s.pages[lang.Tag]["login"].ExecuteTemplate(&buf, "layout", v); err != nil {
			t.Fatalf("%s: %v", lang.Tag, err)
		}
		for _, id := range []string{"nav.skip", "nav.language_apply"} {
			if !strings.Contains(buf.String(), esc(l.T(id))) {
				t.Errorf("%s login page lacks %s (%q)", lang.Tag, id, l.T(id))
			}
		}
		if !strings.Contains(buf.String(), `<option value="`+lang.Tag+`" lang="`+lang.Tag+`" selected>`) {
			t.Errorf("%s: the language picker does not select the page's language", lang.Tag)
		}
	}
}
