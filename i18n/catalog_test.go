package i18n

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

var fixFormat = flag.Bool("fmt", false, "rewrite locales/*.json in canonical layout instead of failing")

// sameAsEnglish lists messages whose English text is also right in another
// language (a brand, an acronym, a cognate). Any other translation identical to
// English is taken to be an untranslated copy.
var sameAsEnglish = map[string][]string{
	"*": {"app.name", "col.tlp", "field.tlp", "channel.api", "playbooks.yaml", // brands and acronyms
		"channel.signal", "contact.signal", "contact.telegram", "contact.whatsapp",
		"notify.email_subject", "notify.email_subject_case", "notify.email_body_case", // the brand and the text
		"intel.punycode", "obstype.md5", "obstype.sha1", "obstype.sha256"}, // names of encodings and hash functions
	"es": {"priority.P3", "role.auditor", "obstype.url", "obsrole.import"},
	"fr": {"tlshow.messages", "tlshow.notes", "audit.action", "nav.audit", "keys.note", "esckind.doxxing", "priority.P2", "priority.P3", "templates.version", "templates.kind_note", "case.playbooks", "case.playbook_choose", "playbooks.title", "nav.playbooks",
		"intel.description", "intel.format", "intel.type", "intel.verdict", "obsrole.note", "obstype.url"},
	"pt": {"priority.P3", "role.auditor", "esckind.doxxing", "obstype.url", "obsrole.import"},
	"ru": {"obstype.url"},
}

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestLanguages(t *testing.T) {
	c := mustLoad(t)
	got := c.Languages()
	var tags []string
	for _, l := range got {
		tags = append(tags, l.Tag)
		if l.Name == "" {
			t.Errorf("%s: no native name", l.Tag)
		}
		if want := map[bool]string{true: "rtl", false: "ltr"}[l.Tag == "ar"]; l.Dir != want {
			t.Errorf("%s: Dir = %q, want %q", l.Tag, l.Dir, want)
		}
	}
	if want := []string{"en", "ar", "es", "fr", "pt", "ru"}; !slices.Equal(tags, want) {
		t.Errorf("Languages() tags = %v, want %v", tags, want)
	}
	if got[1].Name != "العربية" {
		t.Errorf("Arabic name = %q", got[1].Name)
	}
	got[0].Name = "changed" // the caller's copy must not alter the catalog
	if c.Languages()[0].Name != "English" {
		t.Error("Languages() exposes the package's table")
	}
}

// TestCatalogsComplete fails while any catalog lacks an English id or a plural
// form its language needs, has ids English does not have, or carries English
// text that was never translated.
func TestCatalogsComplete(t *testing.T) {
	c := mustLoad(t)
	if len(c.IDs()) == 0 {
		t.Fatal("the English catalog is empty")
	}
	for _, id := range c.IDs() {
		if en := c.messages[defaultTag][id]; !complete(en, en, languages[0].forms) {
			t.Errorf("en.json: %q needs non-empty forms %v", id, neededForms(en, &languages[0]))
		}
	}
	var report []string
	for _, l := range languages[1:] {
		for _, id := range c.Missing()[l.Tag] {
			line := fmt.Sprintf("  %s: %s", l.Tag, id)
			if en := c.messages[defaultTag][id]; isPlural(en) {
				line += " (plural: " + strings.Join(neededForms(en, &l), ", ") + ")"
			}
			report = append(report, line)
		}
	}
	if len(report) > 0 {
		t.Errorf("untranslated messages; add them to i18n/locales/<lang>.json:\n%s", strings.Join(report, "\n"))
	}
	for _, l := range languages[1:] {
		checkNoStrays(t, c, &l)
		checkTranslated(t, c, l.Tag)
	}
}

// neededForms lists the forms a translation of en needs in language l.
func neededForms(en forms, l *langInfo) []string {
	if isPlural(en) {
		return l.forms
	}
	return []string{formOther}
}

// checkNoStrays reports ids English lacks (renamed or removed ones left behind)
// and plural forms the language never selects (usually a copy-paste slip).
func checkNoStrays(t *testing.T, c *Catalog, l *langInfo) {
	t.Helper()
	for _, id := range sortedIDs(c.messages[l.Tag]) {
		en, ok := c.messages[defaultTag][id]
		if !ok {
			t.Errorf("%s.json: %q is not in en.json; remove it or add it to en.json", l.Tag, id)
			continue
		}
		for form := range c.messages[l.Tag][id] {
			if !slices.Contains(neededForms(en, l), form) {
				t.Errorf("%s.json: %q has form %q; it needs exactly %v", l.Tag, id, form, neededForms(en, l))
			}
		}
	}
}

// checkTranslated reports messages still in English. Plural messages are left
// to the forms check: an English copy lacks the forms other languages need.
func checkTranslated(t *testing.T, c *Catalog, tag string) {
	t.Helper()
	for _, id := range c.IDs() {
		en, tr := c.messages[defaultTag][id], c.messages[tag][id]
		if isPlural(en) || tr[formOther] != en[formOther] {
			continue
		}
		if !slices.Contains(sameAsEnglish["*"], id) && !slices.Contains(sameAsEnglish[tag], id) {
			t.Errorf("%s.json: %q is still English (%q); translate it, or if that is right in %s too, list it in sameAsEnglish",
				tag, id, en[formOther], tag)
		}
	}
}

func sortedIDs(msgs map[string]forms) []string {
	ids := make([]string, 0, len(msgs))
	for id := range msgs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

var templateVar = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)`)
var templateAction = regexp.MustCompile(`\{\{.*?\}\}`)

// vars lists the template data fields text uses ({{.Count}} -> Count).
func vars(text string) []string {
	var out []string
	for _, action := range templateAction.FindAllString(text, -1) {
		for _, m := range templateVar.FindAllStringSubmatch(action, -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestTemplateVariables: every translation's "other" form uses exactly the
// variables English does, and no form uses one English lacks. Other forms may
// drop a variable, as Arabic does for one and two ("طلبان", two requests).
func TestTemplateVariables(t *testing.T) {
	c := mustLoad(t)
	for _, id := range c.IDs() {
		en := c.messages[defaultTag][id]
		var want []string
		for _, text := range en {
			want = append(want, vars(text)...)
		}
		slices.Sort(want)
		want = slices.Compact(want)
		for _, l := range languages {
			checkVars(t, l.Tag, id, c.messages[l.Tag][id], want)
		}
	}
}

func checkVars(t *testing.T, tag, id string, tr forms, want []string) {
	t.Helper()
	if text, ok := tr[formOther]; ok && !slices.Equal(vars(text), want) {
		t.Errorf("%s.json: %q other form uses %v, English uses %v", tag, id, vars(text), want)
	}
	for form, text := range tr {
		for _, v := range vars(text) {
			if !slices.Contains(want, v) {
				t.Errorf("%s.json: %q form %q uses {{.%s}}, which English never passes", tag, id, form, v)
			}
		}
	}
}

// TestPluralFormsTable checks languages[].forms against the forms go-i18n's
// own rules select, so a go-i18n upgrade that changes a rule fails here.
func TestPluralFormsTable(t *testing.T) {
	counts := []any{"0.5", "1.5", "2.5", "1000000", 1000000}
	for n := range 300 {
		counts = append(counts, n)
	}
	for _, l := range languages {
		b := goi18n.NewBundle(language.English)
		b.MustAddMessages(language.MustParse(l.Tag), &goi18n.Message{ID: "x",
			Zero: formZero, One: formOne, Two: formTwo, Few: formFew, Many: formMany, Other: formOther})
		loc := goi18n.NewLocalizer(b, l.Tag)
		var seen []string
		for _, n := range counts {
			form := loc.MustLocalize(&goi18n.LocalizeConfig{MessageID: "x", PluralCount: n})
			if !slices.Contains(seen, form) {
				seen = append(seen, form)
			}
		}
		want := slices.Clone(l.forms)
		slices.Sort(seen)
		slices.Sort(want)
		if !slices.Equal(seen, want) {
			t.Errorf("%s: go-i18n selects forms %v, languages table says %v", l.Tag, seen, want)
		}
	}
}

// catalogFS returns the embedded catalogs with some files replaced (a nil
// value removes the file).
func catalogFS(t *testing.T, replace map[string]*string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, l := range languages {
		data, err := fs.ReadFile(localeFiles, "locales/"+l.Tag+".json")
		if err != nil {
			t.Fatal(err)
		}
		fsys["locales/"+l.Tag+".json"] = &fstest.MapFile{Data: data}
	}
	for name, data := range replace {
		if data == nil {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(*data)}
	}
	return fsys
}

func ptr(s string) *string { return &s }

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name       string
		replace    map[string]*string
		wantInErr  []string
		wantSyntax bool
	}{
		{"bad JSON", map[string]*string{"locales/fr.json": ptr(`{"nav.skip": "x",}`)}, []string{"locales/fr.json"}, true},
		{"not an object", map[string]*string{"locales/fr.json": ptr(`["x"]`)}, []string{"locales/fr.json"}, false},
		{"unknown form", map[string]*string{"locales/ru.json": ptr(`{"inbox.cases": {"one": "a", "othr": "b"}}`)},
			[]string{"locales/ru.json", `"inbox.cases"`, `"othr"`}, false},
		{"number value", map[string]*string{"locales/es.json": ptr(`{"nav.skip": 3}`)}, []string{"locales/es.json", `"nav.skip"`}, false},
		{"bad template", map[string]*string{"locales/ar.json": ptr(`{"inbox.cases": {"other": "{{.Count"}}`)},
			[]string{"locales/ar.json", `"inbox.cases"`, `"other"`, "bad template"}, false},
		{"missing file", map[string]*string{"locales/pt.json": nil}, []string{"locales/pt.json"}, false},
		{"unsupported language", map[string]*string{"locales/de.json": ptr(`{}`)}, []string{"locales/de.json"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(catalogFS(t, tt.replace))
			if err == nil {
				t.Fatal("load succeeded")
			}
			for _, want := range tt.wantInErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %s", err, want)
				}
			}
			var syntax *json.SyntaxError
			if tt.wantSyntax && !errors.As(err, &syntax) {
				t.Errorf("error %q does not wrap the JSON syntax error", err)
			}
		})
	}
}

func TestMissingReportsGapsAndFallsBack(t *testing.T) {
	c, err := load(catalogFS(t, map[string]*string{
		"locales/fr.json": ptr(`{"nav.skip": "Aller au contenu", "inbox.cases": {"one": "{{.Count}} dossier", "other": "{{.Count}} dossiers"}}`),
	}))
	if err != nil {
		t.Fatal(err)
	}
	missing := c.Missing()
	if len(missing) != 1 {
		t.Errorf("Missing() has languages %v, want only fr", missing)
	}
	if !slices.Contains(missing["fr"], "inbox.cases") || slices.Contains(missing["fr"], "nav.skip") {
		t.Errorf("fr missing = %v; want inbox.cases (no \"many\" form) and not nav.skip", missing["fr"])
	}
	if len(missing["fr"]) != len(c.IDs())-1 || !sort.StringsAreSorted(missing["fr"]) {
		t.Errorf("fr missing %d ids, want %d, sorted", len(missing["fr"]), len(c.IDs())-1)
	}
	if got := c.Localizer("fr").T("nav.signout"); got != "Sign out" {
		t.Errorf("untranslated id in fr = %q, want the English text", got)
	}
}

// TestCatalogFormat keeps the files diff-friendly. With -fmt it rewrites them.
func TestCatalogFormat(t *testing.T) {
	names, err := filepath.Glob("locales/*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no catalogs found: %v", err)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := parseCatalog(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := canonical(msgs)
		if bytes.Equal(data, want) {
			continue
		}
		if *fixFormat {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is not in canonical layout (ids sorted, 2-space indent, plural forms in CLDR order); "+
			"fix with: go test ./i18n -run TestCatalogFormat -args -fmt", name)
	}
}

// canonical writes a catalog with sorted ids, one message per line, and plural
// forms in CLDR order (zero one two few many other) rather than alphabetical.
func canonical(msgs map[string]forms) []byte {
	if len(msgs) == 0 {
		return []byte("{}\n")
	}
	lines := make([]string, 0, len(msgs))
	for _, id := range sortedIDs(msgs) {
		lines = append(lines, "  "+quote(id)+": "+value(msgs[id]))
	}
	return []byte("{\n" + strings.Join(lines, ",\n") + "\n}\n")
}

func value(f forms) string {
	if !isPlural(f) {
		return quote(f[formOther])
	}
	var lines []string
	for _, form := range allForms {
		if text, ok := f[form]; ok {
			lines = append(lines, "    "+quote(form)+": "+quote(text))
		}
	}
	return "{\n" + strings.Join(lines, ",\n") + "\n  }"
}

// quote is JSON string encoding without the HTML escaping of & < > that
// json.Marshal applies, so "Users & teams" stays readable.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}
