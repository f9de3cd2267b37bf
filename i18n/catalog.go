// Package i18n holds the user interface's translations and the locale-aware
// formatting of numbers, dates and durations.
//
// Catalogs live in locales/<tag>.json, one per language, in go-i18n's JSON
// format: message id -> text, or message id -> {"one": ..., "other": ...} for a
// message whose wording depends on a count. English (en.json) is the reference:
// TestCatalogsComplete fails while any other catalog lacks one of its ids or a
// plural form the language needs. After editing a catalog, run
//
//	go test ./i18n -run TestCatalogFormat -args -fmt
//
// to rewrite the files in their canonical layout (sorted ids, 2-space indent).
//
// A Catalog and its Localizers are immutable once loaded and safe for
// concurrent use.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"text/template"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFiles embed.FS

// forms maps a plural form name ("one", "other", ...) to its text. A message
// that does not depend on a count has only "other".
type forms map[string]string

// Catalog is the set of loaded translations.
type Catalog struct {
	messages   map[string]map[string]forms // language tag -> message id -> forms
	matcher    language.Matcher
	localizers map[string]*Localizer
}

// Load parses the catalogs embedded in the binary.
func Load() (*Catalog, error) {
	return load(localeFiles)
}

// load parses locales/<tag>.json from fsys for every supported language; tests
// pass in-memory catalogs.
func load(fsys fs.FS) (*Catalog, error) {
	if err := checkFileNames(fsys); err != nil {
		return nil, err
	}
	bundle := goi18n.NewBundle(language.English)
	c := &Catalog{messages: map[string]map[string]forms{}, localizers: map[string]*Localizer{}}
	tags := make([]language.Tag, 0, len(languages))
	for i := range languages {
		info := &languages[i]
		msgs, err := loadFile(fsys, bundle, info.Tag)
		if err != nil {
			return nil, err
		}
		c.messages[info.Tag] = msgs
		tags = append(tags, language.MustParse(info.Tag))
	}
	c.matcher = language.NewMatcher(tags)
	for i := range languages {
		tag := languages[i].Tag
		c.localizers[tag] = newLocalizer(bundle, &languages[i], plainMessages(c.messages[tag], c.messages[defaultTag]))
	}
	return c, nil
}

// plainMessages are the messages that need neither a count nor template data, in one language
// (English where it lacks them): the localizer answers those from this table instead of running
// go-i18n, which parses and executes a template per call.
func plainMessages(msgs, english map[string]forms) map[string]string {
	out := map[string]string{}
	for id, en := range english {
		f, ok := msgs[id]
		if !ok || !complete(f, en, []string{formOther}) {
			f = en
		}
		text := f[formOther]
		if isPlural(en) || strings.Contains(text, "{{") {
			continue
		}
		out[id] = text
	}
	return out
}

// checkFileNames rejects a catalog for a language the table does not know: it
// would otherwise be silently ignored (a typo such as "pt-br.json").
func checkFileNames(fsys fs.FS) error {
	names, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return fmt.Errorf("i18n: listing catalogs: %w", err)
	}
	for _, name := range names {
		if info(tagOfFile(name)) == nil {
			return fmt.Errorf("i18n: %s: no such supported language (add it to languages.go first)", name)
		}
	}
	return nil
}

func tagOfFile(name string) string {
	base := path.Base(name)
	return base[:len(base)-len(path.Ext(base))]
}

// info returns the table entry for an exact supported tag, or nil.
func info(tag string) *langInfo {
	for i := range languages {
		if languages[i].Tag == tag {
			return &languages[i]
		}
	}
	return nil
}

// loadFile parses one catalog, validates every message and adds it to bundle.
func loadFile(fsys fs.FS, bundle *goi18n.Bundle, tag string) (map[string]forms, error) {
	name := "locales/" + tag + ".json"
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	msgs, err := parseCatalog(data)
	if err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", name, err)
	}
	list := make([]*goi18n.Message, 0, len(msgs))
	for id, f := range msgs {
		list = append(list, &goi18n.Message{ID: id, Zero: f[formZero], One: f[formOne],
			Two: f[formTwo], Few: f[formFew], Many: f[formMany], Other: f[formOther]})
	}
	if err := bundle.AddMessages(language.MustParse(tag), list...); err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", name, err)
	}
	return msgs, nil
}

// parseCatalog decodes a catalog file. It is stricter than go-i18n, which
// ignores unknown keys and parses templates only when first used: a typo in a
// form name or a broken {{...}} must stop the server at start-up, not show up
// as a blank label in front of a helpline's user.
func parseCatalog(data []byte) (map[string]forms, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON object of messages: %w", err)
	}
	msgs := make(map[string]forms, len(raw))
	for id, v := range raw {
		f, err := parseMessage(v)
		if err != nil {
			return nil, fmt.Errorf("message %q: %w", id, err)
		}
		msgs[id] = f
	}
	return msgs, nil
}

// parseMessage accepts a plain string or an object of plural forms.
func parseMessage(v json.RawMessage) (forms, error) {
	var f forms
	var text string
	if err := json.Unmarshal(v, &text); err == nil {
		f = forms{formOther: text}
	} else if err := json.Unmarshal(v, &f); err != nil {
		return nil, fmt.Errorf(`want a string or an object of plural forms ({"one": "...", "other": "..."}): %w`, err)
	}
	for form, text := range f {
		if !slices.Contains(allForms, form) {
			return nil, fmt.Errorf("unknown plural form %q (want one of %v)", form, allForms)
		}
		if err := checkTemplate(text); err != nil {
			return nil, fmt.Errorf("form %q: %w", form, err)
		}
	}
	return f, nil
}

// checkTemplate parses text the way go-i18n will when it is first shown.
func checkTemplate(text string) error {
	if _, err := template.New("").Parse(text); err != nil {
		return fmt.Errorf("bad template: %w", err)
	}
	return nil
}

// Languages lists the supported languages, English first.
func (c *Catalog) Languages() []Language {
	out := make([]Language, len(languages))
	for i := range languages {
		out[i] = languages[i].Language
	}
	return out
}

// IDs returns the message ids of the English catalog, sorted.
func (c *Catalog) IDs() []string {
	ids := make([]string, 0, len(c.messages[defaultTag]))
	for id := range c.messages[defaultTag] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Missing reports, per language, the sorted ids that English has but the
// language lacks, has empty, or has without every plural form the language
// needs. Languages with nothing missing are absent from the map.
func (c *Catalog) Missing() map[string][]string {
	out := map[string][]string{}
	ids := c.IDs()
	for _, l := range languages[1:] {
		for _, id := range ids {
			if !complete(c.messages[l.Tag][id], c.messages[defaultTag][id], l.forms) {
				out[l.Tag] = append(out[l.Tag], id)
			}
		}
	}
	return out
}

// complete reports whether a translation has every form it needs: the
// language's full set when the English message is plural, else just "other".
func complete(tr, en forms, langForms []string) bool {
	need := []string{formOther}
	if isPlural(en) {
		need = langForms
	}
	for _, form := range need {
		if tr[form] == "" {
			return false
		}
	}
	return true
}

// isPlural reports whether a message's wording depends on a count: any form
// besides "other" makes it one.
func isPlural(f forms) bool {
	for form := range f {
		if form != formOther {
			return true
		}
	}
	return false
}

// Match returns the supported tag that best fits the preferences given, most
// important first: a user's saved setting, then Accept-Language header values
// ("fr-CH, fr;q=0.9, en;q=0.8"). Empty and malformed values are skipped;
// English is the answer when nothing fits.
func (c *Catalog) Match(prefs ...string) string {
	var tags []language.Tag
	for _, p := range prefs {
		tags = append(tags, parsePref(p)...)
	}
	if len(tags) == 0 {
		return defaultTag
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return defaultTag
	}
	return languages[i].Tag
}

// parsePref reads an Accept-Language value, or failing that a single tag
// written loosely ("pt_BR").
func parsePref(p string) []language.Tag {
	if tags, _, err := language.ParseAcceptLanguage(p); err == nil {
		return tags
	}
	if tag, err := language.Parse(p); err == nil {
		return []language.Tag{tag}
	}
	return nil
}

// Localizer returns the localizer for the supported language that best fits
// tag (see Match); any string is accepted.
func (c *Catalog) Localizer(tag string) *Localizer {
	return c.localizers[c.Match(tag)]
}
