package playbook

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// header checks everything but the steps themselves.
func (v *validator) header() {
	p := v.p
	switch {
	case p.Name == "":
		v.add("name", "name is missing")
	case !slugRE.MatchString(p.Name):
		v.add("name", "name %q must be %s", short(p.Name), slugRule)
	}
	v.languages()
	if p.Title == nil {
		v.add("title", "title is missing")
	} else {
		v.text("title", "title", p.Title, MaxTextBytes)
	}
	for i, c := range p.Categories {
		if !refRE.MatchString(c) {
			v.add(index("categories", i), "category %q must be %s", short(c), refRule)
		}
	}
	v.unique("categories", "categories", p.Categories)
	if p.Auto && len(p.Categories) == 0 {
		v.add("auto", "auto needs at least one category to apply the playbook to")
	}
	for i, s := range p.Sources {
		v.plain(index("sources", i), "sources", s, MaxSourceBytes)
	}
	if len(p.Start) == 0 {
		v.add("start", "start is missing: name the steps created when the playbook is applied")
	}
	v.unique("start", "start", p.Start)
	switch {
	case len(p.Steps) == 0:
		v.add("steps", "steps is missing")
	case len(p.Steps) > MaxSteps:
		v.add("steps", "there are %d steps, more than the %d allowed", len(p.Steps), MaxSteps)
	}
}

func (v *validator) languages() {
	if len(v.p.Languages) == 0 {
		v.add("languages", "languages is missing: list the languages every text must have")
	}
	seen := map[string]bool{}
	for i, l := range v.p.Languages {
		switch {
		case !langRE.MatchString(l):
			v.add(index("languages", i), "languages: %q is not %s", short(l), langRule)
		case seen[l]:
			v.add(index("languages", i), "languages: %q is listed twice", l)
		default:
			seen[l] = true
			v.langs = append(v.langs, l)
		}
	}
}

// text checks a text in several languages: every language of the playbook present and not
// blank, every key a language tag, every value within limit bytes.
func (v *validator) text(path, what string, m map[string]string, limit int) {
	var missing []string
	for _, l := range v.langs {
		if strings.TrimSpace(m[l]) == "" {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		v.add(path, "%s has no %s", what, quoted(missing))
	}
	for _, l := range sortedKeys(m) {
		if !langRE.MatchString(l) {
			v.add(join(path, l), "%s: %q is not %s", what, short(l), langRule)
			continue
		}
		if strings.TrimSpace(m[l]) == "" && slices.Contains(v.langs, l) {
			continue // reported as missing above
		}
		v.plain(join(path, l), what+"."+l, m[l], limit)
	}
}

// plain checks one string of free text. Control characters other than tab and newline are
// refused: they are never meant, and PostgreSQL refuses NUL in text.
func (v *validator) plain(path, what, s string, limit int) {
	switch {
	case strings.TrimSpace(s) == "":
		v.add(path, "%s is blank", what)
	case len(s) > limit:
		v.add(path, "%s is %d bytes, more than the %d allowed", what, len(s), limit)
	case !utf8.ValidString(s):
		v.add(path, "%s is not valid UTF-8", what)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		v.add(path, "%s contains a control character", what)
	}
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
