package web

import (
	"cmp"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"haven"
	"haven/i18n"
)

// The inbox table's rows are written here in Go rather than by a template: at 50 rows, the
// template engine's reflection and per-value escaping cost 16 µs a row, most of an inbox page's
// time (BenchmarkInboxTemplate, BenchmarkInboxRows). Every value taken from a case goes through
// htmlWriter.text, the escaping html/template applies in text and quoted attributes;
// TestCaseRowsEscape and the browser's XSS test check it.

const isoTime = "2006-01-02T15:04:05Z07:00"

// caseRowsHTML renders cases as the inbox table's rows, labels in the user's language;
// categories are named by their labels (slug → label), else by their slugs.
func caseRowsHTML(l *i18n.Localizer, categories map[string]string, cases []*haven.Case, now time.Time) template.HTML {
	var w htmlWriter
	w.Grow(len(cases) * 800)
	selectLabel, purged, knownBad := l.T("inbox.select"), l.T("case.purged"), l.T("intel.known_bad")
	for _, c := range cases {
		href := "/cases/" + url.PathEscape(c.Number)
		w.raw("\n<tr")
		if c.Priority == haven.P1 {
			w.raw(` class="p1"`)
		}
		w.raw(` data-href="`).text(href).raw("\">\n")
		w.raw(`<td><input type="checkbox" name="case" value="`).text(c.Number).raw(`" form="bulk" aria-label="`).
			text(selectLabel).raw(" ").text(c.Number).raw("\"></td>\n")
		w.raw(`<td><a href="`).text(href).raw(`">`).text(c.Number).raw("</a></td>\n")
		if c.PurgedAt != nil {
			w.raw(`<td dir="auto"><span class="muted">`).text(purged).raw("</span></td>\n")
		} else {
			w.raw(`<td dir="auto">`).text(c.Title)
			if slices.Contains(c.Tags, haven.TagKnownBad) {
				w.raw(` <strong class="badge known-bad">`).text(knownBad).raw("</strong>")
			}
			w.raw("</td>\n")
		}
		w.raw(`<td dir="auto">`).text(c.RequesterName).raw("</td>\n")
		p, s := string(c.Priority), string(c.Status)
		w.raw(`<td><span class="badge badge-`).text(strings.ToLower(p)).raw(`">`).text(p).raw("</span></td>\n")
		w.raw(`<td><span class="badge status-`).text(s).raw(`">`).text(l.T("status." + s)).raw("</span></td>\n")
		w.raw("<td>")
		for i, cat := range c.Categories {
			if i > 0 {
				w.raw(", ")
			}
			w.text(cmp.Or(categories[cat], cat))
		}
		w.raw("</td>\n<td>").text(c.Assignee).raw("</td>\n<td>").text(c.Language).raw("</td>\n")
		w.raw(`<td><time datetime="`).raw(c.CreatedAt.Format(isoTime)).raw(`">`).text(l.Ago(now.Sub(c.CreatedAt))).raw("</time></td>\n<td>")
		if c.ResolutionDue != nil {
			w.raw(`<time datetime="`).raw(c.ResolutionDue.Format(isoTime)).raw(`">`).text(l.DateTime(*c.ResolutionDue)).raw("</time>")
		}
		w.raw("</td>\n</tr>")
	}
	return template.HTML(w.String()) //nolint:gosec // every value from a case is written by text
}

// htmlWriter builds HTML: raw writes markup, text writes a value escaped.
type htmlWriter struct{ strings.Builder }

func (w *htmlWriter) raw(s string) *htmlWriter {
	w.WriteString(s)
	return w
}

// text writes s escaped for HTML text and quoted attribute values, as html/template does there:
// & < > " ' become character references and NUL becomes U+FFFD.
func (w *htmlWriter) text(s string) *htmlWriter {
	last := 0
	for i := 0; i < len(s); i++ {
		var ref string
		switch s[i] {
		case '&':
			ref = "&amp;"
		case '<':
			ref = "&lt;"
		case '>':
			ref = "&gt;"
		case '"':
			ref = "&#34;"
		case '\'':
			ref = "&#39;"
		case 0:
			ref = "\uFFFD"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(ref)
		last = i + 1
	}
	w.WriteString(s[last:])
	return w
}

// esc is s escaped as htmlWriter.text writes it.
func esc(s string) string {
	var w htmlWriter
	w.text(s)
	return w.String()
}
