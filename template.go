package haven

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// TemplateKind says what a template writes: a reply to the requester, an escalation to a
// platform or partner, or an internal note.
type TemplateKind string

// Template kinds.
const (
	TemplateReply      TemplateKind = "reply"
	TemplateEscalation TemplateKind = "escalation"
	TemplateNote       TemplateKind = "note"
)

// Placeholders is the closed set of names a template may use, as {name}.
func Placeholders() []string {
	return []string{"requester_name", "case_number", "handler_name", "helpline_name", "today", "platform"}
}

// AcknowledgementTemplate names the template, when the helpline writes one, that the automatic
// acknowledgement of a new email case uses instead of Haven's built-in text.
const AcknowledgementTemplate = "acknowledgement"

// TemplateFallback is the language a template falls back to when it has no variant in the
// case's language (nor in its base language: pt-BR → pt), before any other variant.
const TemplateFallback = "en"

// Template is a canned text, one variant per language. It is the helpline's know-how, not personal
// data: every signed-in user reads templates; leads and admins write them. Each change is a new
// version; the old ones are kept, and a message records the version it came from.
type Template struct {
	ID         int64                      `json:"id"`
	Name       string                     `json:"name"`
	Kind       TemplateKind               `json:"kind"`
	Categories []string                   `json:"categories"`
	Variants   map[string]TemplateVariant `json:"variants"`
	Version    int                        `json:"version"`
	UpdatedBy  string                     `json:"updated_by,omitempty"`
	CreatedAt  time.Time                  `json:"created_at"`
	UpdatedAt  time.Time                  `json:"updated_at"`
	RetiredAt  *time.Time                 `json:"retired_at,omitempty"`
}

// TemplateVariant is a template in one language.
type TemplateVariant struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// TemplateInput creates a template or, through UpdateTemplate, makes its next version.
type TemplateInput struct {
	Name       string                     `json:"name"`
	Kind       TemplateKind               `json:"kind"`
	Categories []string                   `json:"categories"`
	Variants   map[string]TemplateVariant `json:"variants"`
}

var templateNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Template size limits.
const (
	maxTemplateSubject = 300
	maxTemplateBody    = 20000
)

// Normalize trims names and labels.
func (in *TemplateInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Categories = NormalizeTags(in.Categories)
	if in.Kind == "" {
		in.Kind = TemplateReply
	}
}

// Validate checks the input; a placeholder outside the closed set, or a brace that does not
// close, is refused with the field and its line and column.
func (in *TemplateInput) Validate() error {
	v := Validation{}
	v.Check(templateNameRE.MatchString(in.Name), "name", "lower-case letters, digits and -, at most 63")
	v.Check(slices.Contains([]TemplateKind{TemplateReply, TemplateEscalation, TemplateNote}, in.Kind), "kind", "reply, escalation or note")
	v.Check(len(in.Variants) > 0, "variants", "at least one language")
	for lang, tv := range in.Variants {
		field := "variants." + lang
		if !validLanguage(lang) || lang == "" {
			v.Add(field, "not a language tag")
			continue
		}
		v.Check(utf8.ValidString(tv.Subject) && len(tv.Subject) <= maxTemplateSubject, field+".subject", "at most 300 bytes")
		v.Check(strings.TrimSpace(tv.Body) != "" && utf8.ValidString(tv.Body) && len(tv.Body) <= maxTemplateBody, field+".body", "required, at most 20,000 bytes")
		for part, text := range map[string]string{".subject": tv.Subject, ".body": tv.Body} {
			if err := CheckPlaceholders(text); err != "" {
				v.Add(field+part, err)
			}
		}
	}
	return v.Err()
}

// CheckPlaceholders returns "" when every {name} in text is a known placeholder and every brace
// closes, else what is wrong and where ("line 2, column 7: unknown placeholder {nmae}"; columns
// count characters, so they match what an Arabic or Russian editor shows).
func CheckPlaceholders(text string) string {
	line, col := 1, 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		col++
		switch r {
		case '\n':
			line, col = line+1, 0
		case '}':
			return fmt.Sprintf("line %d, column %d: a } that closes no placeholder", line, col)
		case '{':
			end := strings.IndexByte(text[i:], '}')
			if end < 0 {
				return fmt.Sprintf("line %d, column %d: a { that is never closed", line, col)
			}
			if name := text[i+1 : i+end]; !slices.Contains(Placeholders(), name) {
				return fmt.Sprintf("line %d, column %d: unknown placeholder {%s}; known: {%s}", line, col, name,
					strings.Join(Placeholders(), "}, {"))
			}
			col += utf8.RuneCountInString(text[i+1 : i+end+1])
			size = end + 1
		}
		i += size
	}
	return ""
}

// TemplateLanguage picks the variant for lang: lang itself, its base language, TemplateFallback,
// else the first language in order. ok is false when lang itself (or its base) has no variant.
func (t *Template) TemplateLanguage(lang string) (chosen string, ok bool) {
	lang = strings.ToLower(strings.TrimSpace(lang))
	base, _, _ := strings.Cut(lang, "-")
	for _, l := range []string{lang, base} {
		if _, has := t.Variants[l]; has && l != "" {
			return l, true
		}
	}
	if _, has := t.Variants[TemplateFallback]; has {
		return TemplateFallback, false
	}
	langs := make([]string, 0, len(t.Variants))
	for l := range t.Variants {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	if len(langs) == 0 {
		return "", false
	}
	return langs[0], false
}

// Suits reports whether t suits a case of category (CategoriesSuit).
func (t *Template) Suits(category string) bool { return CategoriesSuit(t.Categories, category) }

// CategoriesSuit reports whether know-how meant for categories (a template, a playbook) suits a
// case of category: none named (it suits all), the category itself, or a parent of it
// (account-compromise suits account-compromise/facebook).
func CategoriesSuit(categories []string, category string) bool {
	return len(categories) == 0 || slices.ContainsFunc(categories, func(c string) bool {
		return c == category || strings.HasPrefix(category, c+"/")
	})
}

// Fill replaces every placeholder in text with its value (values has one per Placeholders name;
// a missing one becomes "").
func Fill(text string, values map[string]string) string {
	pairs := make([]string, 0, 2*len(Placeholders()))
	for _, name := range Placeholders() {
		pairs = append(pairs, "{"+name+"}", values[name])
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// Rendered is a template filled in for a case.
type Rendered struct {
	TemplateID int64  `json:"template_id"`
	Version    int    `json:"version"`
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	Language   string `json:"language"` // the variant used
	// Fallback is true when the case's language had no variant and Language is another.
	Fallback bool `json:"fallback"`
}

// TemplateFilter selects templates; zero values do not filter.
type TemplateFilter struct {
	Kind     TemplateKind
	Category string
	Language string // templates with a variant in it come first
	Retired  bool   // include retired templates
}

// TemplateService manages templates and fills them in for cases.
type TemplateService interface {
	Templates(ctx context.Context, f TemplateFilter) ([]*Template, error)
	Template(ctx context.Context, id int64) (*Template, error)
	TemplateVersions(ctx context.Context, id int64) ([]*Template, error)
	CreateTemplate(ctx context.Context, in TemplateInput) (*Template, error)
	UpdateTemplate(ctx context.Context, id int64, in TemplateInput) (*Template, error)
	RetireTemplate(ctx context.Context, id int64) error
	// RenderTemplate fills a template in for a case the caller may see; platform fills {platform}.
	RenderTemplate(ctx context.Context, number string, templateID int64, platform string) (*Rendered, error)
}

// TemplateStore keeps templates and their versions.
type TemplateStore interface {
	InsertTemplate(ctx context.Context, t *Template, by int64) error
	// UpdateTemplate stores t as its next version (t.Version is the new number) and keeps the
	// previous one in the history.
	UpdateTemplate(ctx context.Context, t *Template, by int64) error
	TemplateByID(ctx context.Context, id int64) (*Template, error)
	TemplateByName(ctx context.Context, name string) (*Template, error)
	FindTemplates(ctx context.Context, f TemplateFilter) ([]*Template, error)
	TemplateVersions(ctx context.Context, id int64) ([]*Template, error)
	TemplateVersion(ctx context.Context, id int64, version int) (*Template, error)
	RetireTemplate(ctx context.Context, id int64, at time.Time) error
}
